import type { NextFunction, Request, Response } from 'express';
import { authenticateToken } from '../api-tokens/service.js';
import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';

/** `Authorization: Bearer <token>`: an API token from Settings, or API_TOKEN from the environment. */
export function bearerAuth({ db, config, clock }: { db: Db; config: Pick<Config, 'apiToken'>; clock: () => Date }) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('unauthorized', 'errors.apiTokenMissing');
    const caller = authenticateToken(db, match[1]!, config.apiToken, clock());
    if (!caller) throw new AppError('unauthorized', 'errors.apiTokenInvalid');
    req.api = caller;
    next();
  };
}

/** For endpoints that need an admin token (deleting orders). */
export function requireAdminToken(req: Request, _res: Response, next: NextFunction) {
  if (req.api?.role !== 'admin') throw new AppError('forbidden', 'errors.adminTokenRequired');
  next();
}
