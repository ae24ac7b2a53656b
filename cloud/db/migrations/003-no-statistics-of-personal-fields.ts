// PostgreSQL's planner statistics sample column values into pg_statistic (histogram bounds, common values), a catalog
// that erasure cannot rewrite: personal text columns keep no statistics, so an erased email is never copied there.
import type { Migration } from '../migrate';

const PERSONAL = ['accounts.email', 'accounts.nickname', 'accounts.date_of_birth', 'accounts.country'];

export const migration003: Migration = {
  version: 3,
  name: 'no-statistics-of-personal-fields',
  // SQLite keeps no value samples unless ANALYZE is run with sqlite_stat4, which this service never does.
  sqlite: '',
  postgres: PERSONAL.map((c) => {
    const [table, column] = c.split('.');
    return `ALTER TABLE ${table} ALTER COLUMN ${column} SET STATISTICS 0;`;
  }).join('\n'),
};
