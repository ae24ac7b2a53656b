// The one storage port the repository is written against; SQLite and PostgreSQL implement it.

export type SqlValue = string | number | null | Buffer;
export type Dialect = 'sqlite' | 'postgres';

export interface SqlDb {
  readonly dialect: Dialect;
  /** Rows of a query; SQL uses `?` placeholders in both dialects. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; nested calls join the outer one. */
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  /** Makes deleted bytes leave the files (SQLite: checkpoint and truncate the WAL). */
  purgeDeleted(): Promise<void>;
  close(): Promise<void>;
}

export type DbConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; connectionString: string };
