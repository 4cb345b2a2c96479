// Starts the TypeScript documents worker through tsx (a worker thread does not inherit the loader).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
