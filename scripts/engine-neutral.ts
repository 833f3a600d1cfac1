/**
 * Part of `npm run typecheck` (scripts/floating-promises.ts runs it on the same program): feature
 * code runs on SQLite and on PostgreSQL (src/db/engine.ts), so in src/ and views/ it refuses
 *
 * - `.get()`, `.all()`, `.run()`, `.values()` called on anything drizzle-orm declares (a query
 *   builder, a prepared query, the database itself): better-sqlite3's synchronous methods, which
 *   PostgreSQL's builders do not have. Await the query instead, or use src/db/engine.ts's helpers;
 * - `$client`: the driver's own connection (a better-sqlite3 Database, or a pg Pool).
 *
 * The receiver is told by the type checker (where drizzle-orm declares the method), so a Map's
 * `get` or a Hono context's `c.get()` pass, and so does an insert's `.values(rows)`. Exempt:
 * src/db/ (where engines differ), src/ops/ (SQLite-only operations: backup, restore),
 * src/test-support/, tests and their helpers (*.test.ts(x), test-helpers.ts).
 */
import path from 'node:path';
import ts from 'typescript';

const SYNCHRONOUS_METHODS = new Set(['get', 'all', 'run', 'values']);
const EXEMPT_FOLDERS = ['src/db/', 'src/ops/', 'src/test-support/'];

/** Whether a file is feature code the check applies to (paths relative to the project, with /). */
export function isCheckedForEngines(relative: string): boolean {
  if (!relative.startsWith('src/') && !relative.startsWith('views/')) return false;
  if (/\.test\.tsx?$|(^|\/)test-helpers\.ts$/.test(relative)) return false;
  return !EXEMPT_FOLDERS.some((folder) => relative.startsWith(folder));
}

/**
 * Whether drizzle-orm declares this method as one that runs a query: any of its declarations but
 * an insert builder's `values(rows)`, which only says what to insert.
 */
function isDrizzleQueryMethod(symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some((declaration) => {
    if (!declaration.getSourceFile().fileName.split(path.sep).join('/').includes('/node_modules/drizzle-orm/')) return false;
    const owner = declaration.parent;
    const ownerName = (ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) && owner.name ? owner.name.text : '';
    return !ownerName.endsWith('InsertBuilder');
  });
}

/** Every use in `program`'s checked files of what only SQLite has, as `file:line:col  message` lines. */
export function engineSpecificUses(program: ts.Program, root: string): string[] {
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const file of program.getSourceFiles()) {
    const relative = path.relative(root, file.fileName).split(path.sep).join('/');
    if (file.isDeclarationFile || !isCheckedForEngines(relative)) continue;
    const report = (node: ts.Node, message: string) => {
      const { line, character } = file.getLineAndCharacterOfPosition(node.getStart());
      problems.push(`${relative}:${line + 1}:${character + 1}  ${message}`);
    };
    const visit = (node: ts.Node) => {
      if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && node.text === '$client') {
        report(node, `$client is the driver's own connection, SQLite's or PostgreSQL's: use src/db/engine.ts (readRows, closeDatabase...)`);
      } else if (ts.isStringLiteral(node) && node.text === '$client' && ts.isElementAccessExpression(node.parent)) {
        report(node, `$client is the driver's own connection: use src/db/engine.ts`);
      } else if (
        ts.isPropertyAccessExpression(node) &&
        SYNCHRONOUS_METHODS.has(node.name.text) &&
        ts.isCallExpression(node.parent) &&
        node.parent.expression === node &&
        isDrizzleQueryMethod(checker.getSymbolAtLocation(node.name))
      ) {
        const method = node.name.text;
        report(
          node.name,
          `.${method}() runs a query synchronously, on SQLite only: await the query ((await query.limit(1))[0] for one row), ` +
            `or use preparedQuery, readRows, readRow or runSql (src/db/engine.ts)`,
        );
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return problems;
}
