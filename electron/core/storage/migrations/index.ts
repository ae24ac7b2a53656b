import type { Migration } from '../db';
import { m001Settings } from './001-settings';
import { m002Channels } from './002-channels';
import { m003Privacy } from './003-privacy';
import { m004Archive } from './004-archive';
import { m005Devices } from './005-devices';
import { m006Events } from './006-events';
import { m007EventRetention } from './007-event-retention';
import { m008LockOwner } from './008-lock-owner';
import { m009Bookmarks } from './009-bookmarks';
import { m010MotionIndex } from './010-motion-index';
import { m011EventEnd } from './011-event-end';
import { m012LiveDesk } from './012-live-desk';
import { m013ArchiveDensity } from './013-archive-density';
import { m014Operators } from './014-operators';
import { m015PrivacyMasks } from './015-privacy-masks';
import { m016SubjectRequests } from './016-subject-requests';
import { m017Backfill } from './017-backfill';
import { m018Sites } from './018-sites';
import { m019Failover } from './019-failover';
import { m020Shares } from './020-shares';
import { m021FisheyeLens } from './021-fisheye-lens';
import { m022CardTimeZone } from './022-card-time-zone';

/** Numbered, append-only: never edit a released migration, add the next one. */
export const migrations: readonly Migration[] = [m001Settings, m002Channels, m003Privacy, m004Archive, m005Devices, m006Events, m007EventRetention, m008LockOwner, m009Bookmarks, m010MotionIndex, m011EventEnd, m012LiveDesk, m013ArchiveDensity, m014Operators, m015PrivacyMasks, m016SubjectRequests, m017Backfill, m018Sites, m019Failover, m020Shares, m021FisheyeLens, m022CardTimeZone];
