import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../domain/permissions.js';
import { LANGUAGES } from '../i18n/index.js';
import { requireCapability } from '../web/auth.js';
import { AppError } from '../errors.js';
import { formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { findUserById, listUsers, type UserRow } from './repo.js';
import { accountForm, changePasswordForm, createUserForm, resetPasswordForm, updateUserForm } from './schemas.js';
import { changeOwnPassword, createUser, resetPassword, setUserDisabled, updateAccount, updateUser } from './service.js';

const idParam = z.coerce.number().int().positive();

function presentUser(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, language: u.language, disabled: u.disabledAt !== null, lastLoginAt: u.lastLoginAt };
}

/** Settings → Users (admin): create, re-role, disable, reset passwords. */
export function usersWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('users'));
  const formModel = (req: Request) => ({ title: req.t('users.title'), roles: ROLES, languages: LANGUAGES });

  const loadUser = (req: Request) => {
    const user = findUserById(db, parse(idParam, req.params.id));
    if (!user) throw new AppError('user_not_found', 'errors.userNotFound');
    return user;
  };

  router.get('/', (req, res) => {
    res.render('settings/users', { ...formModel(req), users: listUsers(db).map(presentUser), values: { role: 'packer', language: req.lang } });
  });

  router.post('/', async (req, res) => {
    try {
      const user = await createUser(db, parse(createUserForm, req.body), clock());
      setFlash(req, 'success', 'users.created', { email: user.email });
      res.redirect('/settings/users');
    } catch (err) {
      renderForm(req, res, err, 'settings/users', { ...formModel(req), users: listUsers(db).map(presentUser) });
    }
  });

  const renderEdit = (req: Request, res: Response, user: UserRow, err?: unknown) => {
    const model = { ...formModel(req), editing: presentUser(user) };
    if (err) return renderForm(req, res, err, 'settings/user-edit', model);
    res.render('settings/user-edit', { ...model, values: presentUser(user) });
  };

  router.get('/:id', (req, res) => renderEdit(req, res, loadUser(req)));

  router.post('/:id', (req, res) => {
    const user = loadUser(req);
    try {
      updateUser(db, user.id, parse(updateUserForm, req.body), clock());
      setFlash(req, 'success', 'users.saved', { email: user.email });
      res.redirect('/settings/users');
    } catch (err) {
      renderEdit(req, res, user, err);
    }
  });

  router.post('/:id/password', async (req, res) => {
    const user = loadUser(req);
    try {
      await resetPassword(db, user.id, parse(resetPasswordForm, req.body).password, clock());
      setFlash(req, 'success', 'users.passwordReset', { email: user.email });
      res.redirect('/settings/users');
    } catch (err) {
      renderEdit(req, res, user, err);
    }
  });

  router.post('/:id/disable', (req, res) => {
    const user = loadUser(req);
    const disable = formFields(req).disabled === '1';
    try {
      setUserDisabled(db, user.id, disable, clock(), req.user!.id);
      setFlash(req, 'success', disable ? 'users.disabled' : 'users.enabled', { email: user.email });
      res.redirect('/settings/users');
    } catch (err) {
      renderEdit(req, res, user, err);
    }
  });

  return router;
}

/** My account: every user's own name, language and password. */
export function accountWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  const model = (req: Request) => ({ title: req.t('account.title'), languages: LANGUAGES });

  router.get('/', (req, res) => res.render('account/index', { ...model(req), values: req.user }));

  router.post('/', (req, res) => {
    try {
      updateAccount(db, req.user!.id, parse(accountForm, req.body), clock());
      setFlash(req, 'success', 'account.saved');
      res.redirect('/account');
    } catch (err) {
      renderForm(req, res, err, 'account/index', model(req));
    }
  });

  router.post('/password', async (req, res) => {
    try {
      await changeOwnPassword(db, req.user!.id, parse(changePasswordForm, req.body), req.sessionID, clock());
      setFlash(req, 'success', 'account.passwordChanged');
      res.redirect('/account');
    } catch (err) {
      renderForm(req, res, err, 'account/index', { ...model(req), values: req.user });
    }
  });

  return router;
}
