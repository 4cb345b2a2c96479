// The project's own lint rules (`local/*` in eslint.config.js): the database and layering
// conventions of docs/architecture.md, read from the syntax tree (and, for prepared-once, the
// types) rather than searched for with regular expressions. test/unit/lint-rules.test.ts runs each
// rule on code that breaks it and on code that keeps it.
import { dirname, relative, resolve, sep } from 'node:path';

/** The file's path from the project root, with forward slashes. */
const pathOf = (context) => relative(context.cwd, context.filename).split(sep).join('/');

/** Code the conventions cover: the product's sources and entry points (tests and benches are exempt). */
const isProduct = (path) => /^(?:src|jobs)\//.test(path) && !path.startsWith('src/browser/');

/**
 * Where SQL may be: a feature's `repo.ts` or a file in its `repo/` folder, the writers
 * (`writer.ts`, `*-writer.ts`: one writer per rule) and the database layer `src/db/`.
 */
export const isRepository = (path) => path.startsWith('src/db/') || /(?:^|\/)(?:repo|writer|[\w-]+-writer)\.ts$/.test(path) || /\/repo\/[\w-]+\.ts$/.test(path);

/** Route modules: they parse a request, call one service and answer. */
export const isRoute = (path) => /(?:^|\/)(?:web|api|routes|router|[\w-]+-web)\.ts$/.test(path) || /\/web\/[\w-]+\.ts$/.test(path.replace(/^src\/web\//, ''));

/** The node under type assertions, non-null assertions, awaits and optional chains. */
function unwrap(node) {
  let n = node;
  while (n && ['TSNonNullExpression', 'AwaitExpression', 'ChainExpression'].includes(n.type)) n = n.type === 'AwaitExpression' ? n.argument : n.expression;
  return n;
}

const methodName = (call) =>
  call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' && !call.callee.computed ? call.callee.property.name : undefined;
const calleeName = (call) => (call?.type === 'CallExpression' && call.callee.type === 'Identifier' ? call.callee.name : undefined);

const EXECUTIONS = new Set(['get', 'all', 'run', 'values', 'iterate', 'execute', 'pragma', 'pluck', 'raw']);

const sqlInRepos = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL, drizzle and better-sqlite3 only in repositories, writers and src/db/' },
    messages: {
      import: "'{{from}}' is imported outside a repository: move the query into the feature's repo.ts and call it.",
      schema: 'A schema table is imported as a value outside a repository: only its types may be (import type).',
      client: "$client outside a repository: move the statement into the feature's repo.ts.",
    },
    schema: [],
  },
  create(context) {
    const path = pathOf(context);
    if (!isProduct(path) || isRepository(path)) return {};
    return {
      ImportDeclaration(node) {
        const from = node.source.value;
        const schema = /\/db\/schema(?:\/|\.js$)/.test(from);
        if (node.importKind === 'type' && schema) return;
        if (/^(?:drizzle-orm|better-sqlite3)(?:\/|$)/.test(from)) context.report({ node, messageId: 'import', data: { from } });
        else if (schema && node.specifiers.some((s) => s.type !== 'ImportSpecifier' || s.importKind !== 'type')) context.report({ node, messageId: 'schema' });
      },
      MemberExpression(node) {
        if (!node.computed && node.property.name === '$client') context.report({ node, messageId: 'client' });
      },
    };
  },
};

/** Type names of drizzle's query builders and connections: executing one builds and prepares its SQL on each call. */
const BUILDER_TYPE =
  /^(?:SQLite(?:Select|SelectBase|Insert|InsertBase|Update|UpdateBase|Delete|DeleteBase|CountBuilder|RelationalQuery|SyncRelationalQuery|Raw|Transaction)|BaseSQLiteDatabase|BetterSQLite3Database|SQLiteSelectQueryBuilder)/;

function typeNames(type) {
  const names = [];
  for (const t of type.isUnionOrIntersection?.() ? type.types : [type]) {
    for (const symbol of [t.aliasSymbol, t.getSymbol?.()]) if (symbol) names.push(symbol.getName());
  }
  return names;
}

const preparedOnce = {
  meta: {
    type: 'problem',
    docs: { description: 'Statements are prepared once per connection (preparedQuery / preparedFor), never on every call' },
    messages: {
      prepare: 'prepare() outside preparedQuery/preparedFor prepares the statement on every call: prepare it once with preparedQuery.',
      builder:
        "'{{method}}' runs a query builder: its SQL is built and prepared on every call. Prepare it once with preparedQuery (sql.placeholder for values).",
      exec: 'exec() outside src/db/ runs SQL text on every call.',
    },
    schema: [],
  },
  create(context) {
    const path = pathOf(context);
    if (!isProduct(path)) return {};
    const services = context.sourceCode.parserServices;
    const insidePreparer = (node) => {
      for (let n = node.parent; n; n = n.parent) {
        if (
          (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression') &&
          ['preparedQuery', 'preparedFor'].includes(calleeName(n.parent)) &&
          n.parent.arguments[0] === n
        )
          return true;
      }
      return false;
    };
    return {
      CallExpression(node) {
        const method = methodName(node);
        if (method === 'prepare') {
          if (!insidePreparer(node)) context.report({ node, messageId: 'prepare' });
          return;
        }
        if (method === 'exec' && !path.startsWith('src/db/') && services?.program) {
          const receiver = services.esTreeNodeToTSNodeMap.get(node.callee.object);
          if (typeNames(services.program.getTypeChecker().getTypeAtLocation(receiver)).includes('Database')) context.report({ node, messageId: 'exec' });
          return;
        }
        // An insert's .values({...}) builds; a select's .values() with no argument runs.
        if (method === 'values' && node.arguments.length > 0) return;
        if (!['get', 'all', 'run', 'values', 'iterate', 'findFirst', 'findMany', '$count'].includes(method) || !services?.program) return;
        const receiver = services.esTreeNodeToTSNodeMap.get(node.callee.object);
        const type = services.program.getTypeChecker().getTypeAtLocation(receiver);
        // By the type's names, or its text when a builder's method hands back an Omit<…> of it.
        const names = [...typeNames(type), services.program.getTypeChecker().typeToString(type)];
        if (!names.some((n) => /Prepare/.test(n)) && names.some((n) => BUILDER_TYPE.test(n) || /\bSQLite(?:Select|Insert|Update|Delete)\w*</.test(n))) {
          context.report({ node, messageId: 'builder', data: { method } });
        }
      },
    };
  },
};

const noQueryCast = {
  meta: {
    type: 'problem',
    docs: { description: 'No type assertion on a query result: the query types its rows' },
    messages: { cast: "A query result is cast with 'as': let the query type its rows (drizzle's select fields, sql<T>)." },
    schema: [],
  },
  create(context) {
    if (!isProduct(pathOf(context))) return {};
    const check = (node) => {
      if (EXECUTIONS.has(methodName(unwrap(node.expression)))) context.report({ node, messageId: 'cast' });
    };
    return { TSAsExpression: check, TSTypeAssertion: check };
  },
};

const TRANSACTION_OPENERS = new Set(['writeTransaction', 'savepoint']);

/** The SQL text of a string, a template or a sql`` tag, lower-cased, or undefined. */
function sqlText(node) {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral') return node.quasis.map((q) => q.value.cooked ?? '').join(' ? ');
  if (node.type === 'TaggedTemplateExpression') return sqlText(node.quasi);
  return undefined;
}

const WRITE_SQL = /^\s*(?:insert|update|delete|replace)\b|\bon\s+conflict\b[\s\S]*\bdo\s+update\b/i;

/** Whether a node's subtree writes: `.run(`, a drizzle insert/update/delete, or write SQL text. */
function writesIn(node, visitorKeys, writeStatements) {
  let found = false;
  const visit = (n) => {
    if (found || !n || typeof n.type !== 'string') return;
    if (n.type === 'CallExpression') {
      const m = methodName(n);
      if (m === 'run' || m === 'insert' || m === 'update' || m === 'delete') found = true;
      const callee = calleeName(n);
      if (callee && writeStatements.has(callee)) found = true;
    }
    const text = sqlText(n);
    if (text !== undefined && WRITE_SQL.test(text)) found = true;
    for (const key of visitorKeys[n.type] ?? []) {
      const child = n[key];
      if (Array.isArray(child)) child.forEach(visit);
      else visit(child);
    }
  };
  visit(node);
  return found;
}

function opensTransaction(node, visitorKeys) {
  let found = false;
  const visit = (n) => {
    if (found || !n || typeof n.type !== 'string') return;
    if (n.type === 'CallExpression' && (TRANSACTION_OPENERS.has(calleeName(n)) || calleeName(n) === 'groupCommit' || methodName(n) === 'transaction'))
      found = true;
    for (const key of visitorKeys[n.type] ?? []) {
      const child = n[key];
      if (Array.isArray(child)) child.forEach(visit);
      else visit(child);
    }
  };
  visit(node);
  return found;
}

const paramTypeName = (p) => {
  const param = p.type === 'AssignmentPattern' ? p.left : p;
  const ann = param.typeAnnotation?.typeAnnotation;
  return ann?.type === 'TSTypeReference' && ann.typeName.type === 'Identifier' ? ann.typeName.name : undefined;
};

const transactionBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'Writers take a Tx; only services open a transaction; routes and repositories never do' },
    messages: {
      route: '{{name}} in a route: call a service function that opens the transaction.',
      repository: '{{name}} in a repository or writer: take a Tx and let the service open the transaction.',
      writer: "'{{fn}}' takes a {{type}} and writes without opening a transaction: take a Tx (or open one here, in a service).",
    },
    schema: [],
  },
  create(context) {
    const path = pathOf(context);
    if (!isProduct(path)) return {};
    const { visitorKeys } = context.sourceCode;
    const route = isRoute(path);
    const repository = isRepository(path) && !path.startsWith('src/db/');
    /** Module-level statements prepared by preparedQuery/preparedFor whose SQL writes. */
    const writeStatements = new Set();
    const checkFunction = (node) => {
      const conn = node.params.map(paramTypeName).find((t) => t === 'Db' || t === 'Conn');
      if (!conn || !node.body) return;
      if (writesIn(node.body, visitorKeys, writeStatements) && !opensTransaction(node.body, visitorKeys)) {
        const fn = node.id?.name ?? (node.parent.type === 'VariableDeclarator' ? node.parent.id.name : '(anonymous)');
        context.report({ node, messageId: 'writer', data: { fn, type: conn } });
      }
    };
    return {
      Program(program) {
        for (const statement of program.body) {
          const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
          if (declaration?.type !== 'VariableDeclaration') continue;
          for (const d of declaration.declarations) {
            if (
              d.id.type === 'Identifier' &&
              ['preparedQuery', 'preparedFor'].includes(calleeName(d.init)) &&
              writesIn(d.init.arguments[0], visitorKeys, new Set())
            ) {
              writeStatements.add(d.id.name);
            }
          }
        }
      },
      CallExpression(node) {
        const name = calleeName(node) ?? (methodName(node) === 'transaction' ? '.transaction()' : undefined);
        if (!name || (!TRANSACTION_OPENERS.has(name) && name !== '.transaction()' && name !== 'groupCommit')) return;
        if (route) context.report({ node, messageId: 'route', data: { name } });
        else if (repository) context.report({ node, messageId: 'repository', data: { name } });
      },
      FunctionDeclaration: checkFunction,
      FunctionExpression: checkFunction,
      ArrowFunctionExpression: checkFunction,
    };
  },
};

/**
 * Writes that belong to one writer each: the file allowed to hold them, the drizzle table
 * variable, the columns (drizzle names and SQL names) or, for inserts, the table alone.
 */
export const ONE_WRITER = [
  { what: 'orders.status', writer: 'src/orders/status-writer.ts', table: 'orders', sqlTable: 'orders', columns: ['status'], sqlColumns: ['status'] },
  {
    what: 'product counters (reserved, allocated, on_hand)',
    writer: 'src/stock/writer.ts',
    table: 'products',
    sqlTable: 'products',
    columns: ['reserved', 'allocated', 'onHand'],
    sqlColumns: ['reserved', 'allocated', 'on_hand'],
  },
  { what: 'the stock ledger', writer: 'src/stock/writer.ts', table: 'stockLedger', sqlTable: 'stock_ledger', insert: true },
  { what: 'number series', writer: 'src/series/repo.ts', table: 'sequences', sqlTable: 'sequences', insert: true, columns: ['value'], sqlColumns: ['value'] },
  { what: "the order's history", writer: 'src/events/repo.ts', table: 'orderEvents', sqlTable: 'order_events', insert: true },
];

/** The keys an object literal sets, or null when it cannot be known (a spread, a computed key, not a literal). */
function keysOf(node) {
  if (node?.type !== 'ObjectExpression') return null;
  const keys = [];
  for (const p of node.properties) {
    if (p.type !== 'Property' || p.computed) return null;
    keys.push(p.key.type === 'Identifier' ? p.key.name : String(p.key.value));
  }
  return keys;
}

/** The table variable a drizzle chain starts from: `x.update(orders)…`, `x.insert(stockLedger)…`. */
function chainTable(call, method) {
  for (let n = call; n?.type === 'CallExpression' && n.callee.type === 'MemberExpression'; n = n.callee.object) {
    if (methodName(n) === method) return n.arguments[0]?.type === 'Identifier' ? n.arguments[0].name : '?';
  }
  return undefined;
}

const oneWriter = {
  meta: {
    type: 'problem',
    docs: { description: 'A status, a stock counter, a ledger row, a series number and an order event each have one writer' },
    messages: { write: '{{what}} is written only by {{writer}}: call it instead.' },
    schema: [],
  },
  create(context) {
    const path = pathOf(context);
    if (!isProduct(path)) return {};
    const report = (node, rule) => context.report({ node, messageId: 'write', data: { what: rule.what, writer: rule.writer } });
    const services = context.sourceCode.parserServices;
    /** The keys written: the literal's own, else every property of the value's type (a spread, a variable). */
    const setKeys = (set) => {
      const keys = keysOf(set);
      if (keys !== null || !set || !services?.program) return keys;
      const type = services.program.getTypeChecker().getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(set));
      return type.getProperties().map((p) => p.getName());
    };
    const setWrites = (set, rule) => {
      const keys = setKeys(set);
      return keys === null || keys.some((k) => rule.columns?.includes(k));
    };
    return {
      CallExpression(node) {
        const method = methodName(node);
        for (const rule of ONE_WRITER) {
          if (path === rule.writer) continue;
          if (method === 'set' && chainTable(node, 'update') === rule.table && rule.columns && setWrites(node.arguments[0], rule)) report(node, rule);
          if (method === 'values' && rule.insert && chainTable(node, 'insert') === rule.table) report(node, rule);
          if (method === 'onConflictDoUpdate' && chainTable(node, 'insert') === rule.table && rule.columns) {
            const set =
              node.arguments[0]?.type === 'ObjectExpression'
                ? node.arguments[0].properties.find((p) => p.type === 'Property' && p.key.name === 'set')
                : undefined;
            if (!set || setWrites(set.value, rule)) report(node, rule);
          }
        }
      },
      'Literal, TemplateLiteral'(node) {
        const text = sqlText(node);
        if (text === undefined) return;
        for (const rule of ONE_WRITER) {
          if (path === rule.writer) continue;
          const cols = rule.sqlColumns ? `(?:${rule.sqlColumns.join('|')})` : null;
          const update = cols && new RegExp(`\\bupdate\\s+${rule.sqlTable}\\b[\\s\\S]*?\\bset\\b[\\s\\S]*?\\b${cols}\\s*=`, 'i');
          const upsert =
            cols && new RegExp(`\\binsert\\s+(?:or\\s+\\w+\\s+)?into\\s+${rule.sqlTable}\\b[\\s\\S]*\\bdo\\s+update\\s+set\\b[\\s\\S]*\\b${cols}\\s*=`, 'i');
          const insert = rule.insert && new RegExp(`\\binsert\\s+(?:or\\s+\\w+\\s+)?into\\s+${rule.sqlTable}\\b`, 'i');
          if ((update && update.test(text)) || (upsert && upsert.test(text)) || (insert && insert.test(text))) report(node, rule);
        }
      },
    };
  },
};

const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'Services, repositories and jobs import nothing from the HTTP layer (src/web/, route modules)' },
    messages: { web: "'{{from}}' is HTTP: a service, repository or job takes what it needs from src/errors.ts, src/log.ts, src/i18n/ or its feature." },
    schema: [],
  },
  create(context) {
    const path = pathOf(context);
    if (!isProduct(path) || isRoute(path) || path.startsWith('src/web/') || path === 'src/app.ts' || path === 'src/server.ts') return {};
    return {
      ImportDeclaration(node) {
        const from = node.source.value;
        if (node.importKind === 'type' || !from.startsWith('.')) return;
        const target = relative(context.cwd, resolve(dirname(context.filename), from))
          .split(sep)
          .join('/')
          .replace(/\.js$/, '.ts');
        if (target.startsWith('src/web/') || isRoute(target)) context.report({ node, messageId: 'web', data: { from } });
      },
    };
  },
};

export default {
  meta: { name: 'local' },
  rules: {
    'sql-in-repos': sqlInRepos,
    'prepared-once': preparedOnce,
    'no-query-cast': noQueryCast,
    'transaction-boundary': transactionBoundary,
    'one-writer': oneWriter,
    layers,
  },
};
