import type { ESLint } from 'eslint';

/** The project's own lint rules (lint/rules.js), registered as the plugin `local`. */
declare const plugin: ESLint.Plugin & { rules: NonNullable<ESLint.Plugin['rules']> };
export default plugin;
/** Whether a file (path from the project root) may hold SQL: a repository, a writer or src/db/. */
export function isRepository(path: string): boolean;
/** Whether a file (path from the project root) is a route module. */
export function isRoute(path: string): boolean;
/** The writes that belong to one writer each. */
export const ONE_WRITER: { what: string; writer: string; table: string; sqlTable: string; columns?: string[]; sqlColumns?: string[]; insert?: boolean }[];
