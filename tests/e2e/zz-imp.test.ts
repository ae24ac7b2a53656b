import { it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { addCamsimChannel } from '../helpers/station-setup';
it('x', () => { void launchChromium; void addCamsimChannel; });
