/**
 * Makes keys whose value may be undefined optional, deeply: zod's output of `.optional().transform()`
 * has such keys required, while callers building input in code (demo data, tests) omit them.
 */
export type Loose<T> = T extends readonly (infer U)[]
  ? Loose<U>[]
  : T extends object
    ? { [K in keyof T as undefined extends T[K] ? K : never]?: Loose<T[K]> } & { [K in keyof T as undefined extends T[K] ? never : K]: Loose<T[K]> }
    : T;
