/*
 * One cache of SQLite statements.
 *
 * Statements. retainStatements() makes a connection keep every statement it prepares, by its SQL
 * text, for the connection's life: it is the only cache of SQLite statements. Code with a fixed
 * SQL text calls `$client.prepare(sql)` where it runs it and gets the same statement back each
 * time, in its default modes. They are kept because with better-sqlite3 12 on Node 24 a statement
 * finalised by the garbage collector can abort the whole process (`RemoveEnvironmentCleanupHook:
 * (env) != nullptr`, WiseLibs/better-sqlite3#1515, closed without a fix); a statement that is never
 * garbage cannot. The app's SQL texts are a finite set (values are bound, never inlined), and
 * reusing statements also saves SQLite's parsing.
 *
 * Built queries. preparedQuery(db, key, build) (src/db/engine.ts) keeps, per connection, what
 * costs JavaScript to build on top of statements: a Drizzle query (building its SQL text and row
 * mapping costs more than running it). It owns no statement: what Drizzle prepares comes from the
 * cache above, so it is shared with any code that prepares the same SQL.
 */
import type Database from 'better-sqlite3';

export function retainStatements(sqlite: Database.Database): Database.Database {
  const prepare = sqlite.prepare.bind(sqlite);
  const statements = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      statements.set(source, statement);
    } else if (statement.reader) {
      // modes persist on a statement: a reused one starts as a fresh one would
      statement.raw(false);
      statement.pluck(false);
      statement.expand(false);
    }
    return statement;
  }) as typeof sqlite.prepare;
  // pragma() prepares through the native side directly, around prepare(): route it through too
  sqlite.pragma = ((source: string, options?: { simple?: boolean }) => {
    const statement = sqlite.prepare(`PRAGMA ${source}`);
    if (!statement.reader) {
      statement.run();
      return options?.simple ? undefined : [];
    }
    return options?.simple ? statement.pluck(true).get() : statement.all();
  }) as typeof sqlite.pragma;
  return sqlite;
}
