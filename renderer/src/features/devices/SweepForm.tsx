import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { IPV4 } from '../../../../electron/contract';

const MAX_SWEEP = 1024;
const toNumber = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toAddress = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Whether `address` lies in the range (both ends included). */
export const inSweep = (address: string, r: { from: string; to: string }) => toNumber(address) >= toNumber(r.from) && toNumber(address) <= toNumber(r.to);

/** The hosts of the first interface on a network of at most MAX_SWEEP addresses that is not loopback (empty when there is none). */
function firstSubnet(interfaces: { address: string; netmask: string }[]): { from: string; to: string } {
  for (const i of interfaces) {
    if (i.address.startsWith('127.') || !IPV4.test(i.netmask)) continue;
    const mask = toNumber(i.netmask);
    const size = 2 ** 32 - mask;
    if (size < 4 || size > MAX_SWEEP) continue;
    const net = toNumber(i.address) - (toNumber(i.address) % size);
    return { from: toAddress(net + 1), to: toAddress(net + size - 2) };
  }
  return { from: '', to: '' };
}

/**
 * A sweep of an address range, for a LAN that drops multicast: the station asks each address directly on the standard
 * discovery ports. Offered with the first interface's subnet; each field checked here, by its label.
 */
export function SweepForm({ interfaces, busy, onSweep }: { interfaces: { address: string; netmask: string }[]; busy: boolean; onSweep(range: { from: string; to: string }): void }) {
  const { t } = useTranslation('devices');
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const [problem, setProblem] = useState('');
  const shown = range ?? firstSubnet(interfaces);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const from = shown.from.trim(), to = shown.to.trim();
    const p = !IPV4.test(from) ? t('sweep.errors.first', { value: from })
      : !IPV4.test(to) ? t('sweep.errors.last', { value: to })
      : toNumber(to) < toNumber(from) ? t('sweep.errors.order', { first: from, last: to })
      : toNumber(to) - toNumber(from) + 1 > MAX_SWEEP ? t('sweep.errors.tooMany', { count: toNumber(to) - toNumber(from) + 1, max: MAX_SWEEP })
      : '';
    setProblem(p);
    if (!p) onSweep({ from, to });
  };
  const field = (k: 'from' | 'to') => (
    <label className="field-stack small">{t(k === 'from' ? 'sweep.first' : 'sweep.last')}
      <input name={`sweep-${k}`} value={shown[k]} spellCheck={false} onChange={(e) => { setProblem(''); setRange({ ...shown, [k]: e.target.value }); }} />
    </label>
  );
  return (
    <details className="dev-ifaces dev-sweep">
      <summary>{t('sweep.summary')}</summary>
      <form onSubmit={submit} aria-label={t('sweep.summary')}>
        <p className="muted small">{t('sweep.hint', { max: MAX_SWEEP })}</p>
        <div className="dev-form-row">{field('from')}{field('to')}</div>
        {problem && <p className="bad small" role="alert">{problem}</p>}
        <button type="submit" disabled={busy}>{t('sweep.run')}</button>
      </form>
    </details>
  );
}
