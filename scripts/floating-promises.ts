/**
 * `npm run typecheck` runs this after tsc: every promise made in src/ and views/ must be awaited,
 * returned, passed on, or discarded on purpose with `void`, none is written into a template, and
 * none is given to a test's expect() (which would compare the promise, whatever its value).
 * Queries and use cases are async (docs/decisions/003-sqlite.md): on SQLite a forgotten `await`
 * still runs the statement, in order, so nothing shows until another engine stands behind the
 * same functions. This is the check typescript-eslint's no-floating-promises makes, with the
 * compiler alone.
 *
 * On the same program it then runs scripts/engine-neutral.ts: no SQLite-only query methods
 * (`.get()`, `.all()`, `.run()`, `.values()` on Drizzle) and no `$client` in feature code.
 */
import path from 'node:path';
import ts from 'typescript';
import { engineSpecificUses } from './engine-neutral';

const root = path.resolve(import.meta.dirname, '..');
const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();

/** `.catch(handler)` or `.then(onFulfilled, onRejected)`: its rejection is handled. */
function handlesRejection(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const method = expression.expression.name.text;
  return (method === 'catch' && expression.arguments.length >= 1) || (method === 'then' && expression.arguments.length >= 2);
}

function isPromise(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some(isPromise);
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  return symbol?.getName() === 'Promise';
}

const problems: string[] = [];
for (const file of program.getSourceFiles()) {
  const relative = path.relative(root, file.fileName);
  if (file.isDeclarationFile || relative.startsWith('..') || relative.includes('node_modules')) continue;
  const visit = (node: ts.Node) => {
    // a promise written into a string is "[object Promise]": an await was forgotten
    if (ts.isTemplateSpan(node) && isPromise(checker.getTypeAtLocation(node.expression))) {
      const { line, character } = file.getLineAndCharacterOfPosition(node.expression.getStart());
      problems.push(`${relative}:${line + 1}:${character + 1}  \${${node.expression.getText().slice(0, 100)}} in a template`);
    }
    if (ts.isExpressionStatement(node)) {
      const expression = node.expression;
      const call = ts.isCallExpression(expression) || ts.isNewExpression(expression);
      if (call && !handlesRejection(expression) && isPromise(checker.getTypeAtLocation(expression))) {
        const { line, character } = file.getLineAndCharacterOfPosition(expression.getStart());
        problems.push(`${relative}:${line + 1}:${character + 1}  ${expression.getText().split('\n')[0]!.slice(0, 100)}`);
      }
    }
    // a test's expect(promise).toBe(...) compares the promise, not its value: await it, or say .resolves/.rejects
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'expect' && node.arguments[0]) {
      const chained = ts.isPropertyAccessExpression(node.parent) && ['resolves', 'rejects'].includes(node.parent.name.text);
      if (!chained && isPromise(checker.getTypeAtLocation(node.arguments[0]))) {
        const { line, character } = file.getLineAndCharacterOfPosition(node.getStart());
        problems.push(`${relative}:${line + 1}:${character + 1}  ${node.getText().split('\n')[0]!.slice(0, 100)} (expect() of a promise)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

let failed = false;
if (problems.length > 0) {
  console.error(`A promise is neither awaited, returned nor voided (${problems.length}):\n${problems.join('\n')}`);
  failed = true;
}
const engineSpecific = engineSpecificUses(program, root);
if (engineSpecific.length > 0) {
  console.error(`Feature code must run on SQLite and PostgreSQL alike (src/db/engine.ts) (${engineSpecific.length}):\n${engineSpecific.join('\n')}`);
  failed = true;
}
if (failed) process.exit(1);
