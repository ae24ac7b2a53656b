import type { Migration } from '../db';

/** A channel's fisheye lens (contract `FisheyeLens` as JSON), or NULL for an ordinary one. */
export const m021FisheyeLens: Migration = {
  version: 21,
  name: 'fisheye-lens',
  up(db) {
    db.exec('ALTER TABLE channel ADD COLUMN lens TEXT');
  },
};
