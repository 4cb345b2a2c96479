import { z } from 'zod';
import { ROLES } from '../domain/permissions.js';
import { LANGUAGES } from '../i18n/index.js';

export const MIN_PASSWORD = 10;

const password = z.string().min(MIN_PASSWORD, { error: 'validation.passwordTooShort' }).max(200);
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'validation.email' }).max(254));

export const createUserForm = z.object({
  email,
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  language: z.enum(LANGUAGES),
  password,
});

export const updateUserForm = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  language: z.enum(LANGUAGES),
});

export const resetPasswordForm = z.object({ password });

export const loginForm = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(200),
  next: z.string().max(500).optional(),
});

export const accountForm = z.object({
  name: z.string().trim().min(1).max(100),
  language: z.enum(LANGUAGES),
  // A checkbox: sent as "on" when ticked, absent when not.
  soundsMuted: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()),
});

export const changePasswordForm = z
  .object({ currentPassword: z.string().max(200), newPassword: password, confirmPassword: z.string().max(200) })
  .refine((f) => f.newPassword === f.confirmPassword, { path: ['confirmPassword'], message: 'validation.passwordsDiffer' });
