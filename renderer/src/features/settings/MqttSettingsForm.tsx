import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MqttConfig, MqttStatus } from '../../../../electron/contract';
import { formatDateTime } from '../../i18n/format';
import { useErrorText } from '../../i18n/errors';
import { useMqttQuery, useMqttStatus, useSetMqttMutation, useTestMqttMutation } from './mqtt-api';

type Draft = { enabled: boolean; brokerUrl: string; username: string; password: string; topicPrefix: string };
const toDraft = (s: MqttConfig): Draft => ({ enabled: s.enabled, brokerUrl: s.brokerUrl, username: s.username, password: '', topicPrefix: s.topicPrefix });
const DOT: Record<MqttStatus['state'], string> = { off: 'warn-dot', connecting: 'warn-dot', connected: 'ok-dot', error: 'bad-dot' };

/** Settings page: publishing events, alarms, channel status and health to an MQTT broker (off until turned on here). */
export function MqttSettingsForm() {
  const { t } = useTranslation('settings');
  const errorText = useErrorText();
  useMqttStatus();
  // Polled for the message count and time; the state itself also comes as it changes (mqtt.status).
  const { data } = useMqttQuery(undefined, { pollingInterval: 15_000 });
  const [save, saving] = useSetMqttMutation();
  const [test, testing] = useTestMqttMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  // Only new settings reset the form (the poll's unchanged settings keep their object, so typing is not lost).
  const settings = data?.settings;
  useEffect(() => { if (settings) setDraft(toDraft(settings)); }, [settings]);
  const edit = (patch: Partial<Draft>) => {
    saving.reset();
    testing.reset();
    setDraft((d) => (d ? { ...d, ...patch } : d));
  };
  // An empty password field keeps the stored password (the station never sends it back).
  const password = () => (draft?.password ? { password: draft.password } : {});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft) void save({ enabled: draft.enabled, brokerUrl: draft.brokerUrl.trim(), username: draft.username.trim(), topicPrefix: draft.topicPrefix.trim(), ...password() });
  };
  const runTest = () => {
    if (draft) void test({ brokerUrl: draft.brokerUrl.trim(), username: draft.username.trim(), ...password() });
  };
  const status = data?.status;
  const field = (key: 'brokerUrl' | 'username' | 'password' | 'topicPrefix', type = 'text') => (
    <label className="field">
      <span>{t(`mqtt.${key}`)}</span>
      <input name={`mqtt-${key}`} type={type} value={draft?.[key] ?? ''} spellCheck={false} autoComplete={type === 'password' ? 'new-password' : 'off'}
        placeholder={key === 'password' && data?.settings.hasPassword ? t('mqtt.passwordKept') : t(`mqtt.${key}Hint`)}
        onChange={(e) => edit({ [key]: e.target.value })} />
    </label>
  );

  return (
    <form className="form mqtt-settings" onSubmit={submit} aria-label={t('mqtt.formLabel')} noValidate>
      <fieldset>
        <legend>{t('mqtt.legend')}</legend>
        <label className="ev-check">
          <input type="checkbox" name="mqtt-enabled" checked={draft?.enabled ?? false} onChange={(e) => edit({ enabled: e.target.checked })} />
          {t('mqtt.enabled')}
        </label>
        {field('brokerUrl')}
        {field('username')}
        {field('password', 'password')}
        {field('topicPrefix')}
        <p className="muted field-hint">{t('mqtt.topicsHint', { prefix: draft?.topicPrefix.trim() || 'watchpost' })}</p>
        {status && (
          <p className="mqtt-status" role="status" aria-live="polite">
            <span className={DOT[status.state]} aria-hidden="true" /> {t(`mqtt.state.${status.state}`)}
            {status.error && status.state === 'error' && <span className="error"> — {errorText(status.error)}</span>}
            {status.lastMessageAt !== null && <span className="muted"> · {t('mqtt.sent', { count: status.messagesSent, at: formatDateTime(status.lastMessageAt) })}</span>}
          </p>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={saving.isLoading || !draft}>{t('common:save')}</button>
        <button type="button" onClick={runTest} disabled={testing.isLoading || !draft}>{testing.isLoading ? t('mqtt.testing') : t('mqtt.test')}</button>
        {saving.isSuccess && <span className="ok" role="status">{t('common:saved')}</span>}
        {saving.error && <span className="error" role="alert">{errorText(saving.error)}</span>}
        {testing.data?.ok && <span className="ok" role="status">{t('mqtt.testOk')}</span>}
        {testing.data && !testing.data.ok && <span className="error" role="alert">{errorText(testing.data.error)}</span>}
        {testing.error && <span className="error" role="alert">{errorText(testing.error)}</span>}
      </div>
    </form>
  );
}
