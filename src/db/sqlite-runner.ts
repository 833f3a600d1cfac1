/**
 * How src/db/engine.ts runs a prepared query on SQLite: fast, since a cached page's version check
 * and every signed-in page's reads go through it. Not for use elsewhere.
 */
import { Column, is, noopDecoder, Param, Placeholder, SQL, Subquery, type Query } from 'drizzle-orm';

/** Values for a prepared query's `sql.placeholder(name)`s, by name. */
type Params = Record<string, unknown>;

/** A query Drizzle prepared on better-sqlite3: its methods, and the parts of it a SqliteRunner reads. */
export type SqliteStatement = {
  all(params?: Params): unknown;
  get(params?: Params): unknown;
  run(params?: Params): unknown;
  getQuery(): Query;
  fields?: Array<{ path: string[]; field: unknown }>;
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
};

type Statement = {
  reader: boolean;
  raw(on: boolean): Statement;
  all(...args: unknown[]): unknown[];
  get(...args: unknown[]): unknown;
  run(...args: unknown[]): unknown;
};

type Decoder = { mapFromDriverValue(value: unknown): unknown };
type Encoder = { mapToDriverValue(value: unknown): unknown };

/** How a selected field's value comes back from the driver, as Drizzle's mapResultRow finds it. */
function decoderOf(field: unknown): Decoder {
  // an SQL's decoder (its mapWith) is internal to Drizzle's types
  const decoderOfSql = (value: SQL) => (value as unknown as { decoder: Decoder }).decoder;
  if (is(field, Column)) return field;
  if (is(field, SQL)) return decoderOfSql(field);
  if (is(field, Subquery)) return decoderOfSql(field._.sql as SQL);
  return decoderOfSql((field as SQL.Aliased).sql);
}

/** A decoder that gives the driver's value back as it is (integers, text): not worth a call. */
const keepsValue = (decoder: Decoder) =>
  decoder === noopDecoder || decoder.mapFromDriverValue === Column.prototype.mapFromDriverValue;

function missingPlaceholder(name: string): never {
  throw new Error(`No value for placeholder "${name}" was provided`);
}

/**
 * Runs a Drizzle-prepared SQLite query as Drizzle would, on a statement of its own, with what
 * Drizzle works out on every run worked out once: the arguments (which are placeholders, which go
 * through their column's encoder) and the row's object (its keys, which values need decoding) are
 * each one function, generated when the query is prepared. The cache's version read (3.9 µs as a
 * bare statement on a file database) took 5.0 µs through Drizzle's run, 4.1 µs through this: on a
 * cached page, whose whole check is about 5 µs, that was most of the cost of going through Drizzle.
 * Queries it cannot run exactly as Drizzle would (left joins, whose missing side Drizzle turns into
 * null; nested selections; custom mappers) keep Drizzle's run.
 */
export class SqliteRunner {
  private constructor(
    private readonly statement: Statement,
    private readonly bind: (values: Params) => unknown[],
    private readonly decode: ((row: unknown[]) => unknown) | null,
  ) {}

  static compile(sqlite: { prepare(source: string): unknown }, key: string, prepared: SqliteStatement): SqliteRunner | null {
    const { fields, joinsNotNullableMap, customResultMapper } = prepared;
    if (customResultMapper) return null;
    if (joinsNotNullableMap && Object.values(joinsNotNullableMap).some((notNull) => !notNull)) return null;
    if (fields?.some((field) => field.path.length !== 1)) return null;
    const query = prepared.getQuery();

    const constants: unknown[] = [];
    const encoders: Encoder[] = [];
    const placeholder = (name: string) => `(${JSON.stringify(name)} in values ? values[${JSON.stringify(name)}] : missing(${JSON.stringify(name)}))`;
    const args = query.params.map((param) => {
      if (is(param, Placeholder)) return placeholder(param.name);
      if (is(param, Param) && is(param.value, Placeholder)) return `encoders[${encoders.push(param.encoder) - 1}].mapToDriverValue(${placeholder(param.value.name)})`;
      return `constants[${constants.push(param) - 1}]`;
    });
    const bindWith = new Function('constants', 'encoders', 'missing', `return (values) => [${args.join(', ')}];`);
    const bind = bindWith(constants, encoders, missingPlaceholder) as (values: Params) => unknown[];

    let decode: ((row: unknown[]) => unknown) | null = null;
    if (fields) {
      const decoders = fields.map((field) => decoderOf(field.field));
      const properties = fields.map(({ path }, i) => {
        const value = keepsValue(decoders[i]!) ? `row[${i}]` : `(row[${i}] === null ? null : decoders[${i}].mapFromDriverValue(row[${i}]))`;
        return `${JSON.stringify(path[0])}: ${value}`;
      });
      decode = new Function('decoders', `return (row) => ({ ${properties.join(', ')} });`)(decoders) as (row: unknown[]) => unknown;
    }

    // a statement of its own (the SQL marked with the query's key), so that its mode is set once
    const statement = sqlite.prepare(`${query.sql} /* ${key.replace(/\*\//g, '* /')} */`) as Statement;
    if (decode && statement.reader) statement.raw(true);
    return new SqliteRunner(statement, bind, decode);
  }

  all(values: Params = {}): unknown[] {
    const rows = this.statement.all(...this.bind(values));
    return this.decode ? rows.map(this.decode as (row: unknown) => unknown) : rows;
  }

  get(values: Params = {}): unknown {
    const row = this.statement.get(...this.bind(values));
    return row === undefined || !this.decode ? row : this.decode(row as unknown[]);
  }

  run(values: Params = {}): void {
    this.statement.run(...this.bind(values));
  }
}
