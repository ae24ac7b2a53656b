import type { Channel } from '../../../../electron/contract';

/**
 * The site tree's order: stations as `channels.list` gives them, within each its devices in the order they first appear
 * (channels added by RTSP URL, with no device, first), each device's channels in list order.
 */
export function treeOrder(channels: Channel[]): Channel[] {
  const sites = [...new Set(channels.map((c) => c.site?.id ?? 0))];
  return sites.flatMap((site) => {
    const mine = channels.filter((c) => (c.site?.id ?? 0) === site);
    const devices = [...new Set(mine.map((c) => c.device?.id ?? 0))].sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : 0));
    return devices.flatMap((d) => mine.filter((c) => (c.device?.id ?? 0) === d));
  });
}
