// The page's sign-in: the id kept for this tab (sessionStorage) to resume after a reload or a reconnect, the lock
// shortcut, and signing out after the idle time the station sets (input in any of the app's windows counts).
import { useEffect, useRef, useState } from 'react';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { isShortcut } from '../../app/shortcuts';
import { stationApi } from '../../app/station-api';
import { signedOutBy } from '../../app/store';
import { operatorsApi, useAuthStateQuery, useLockScreenMutation, useSignOutMutation } from './operators-api';
import { sharedActivity } from './shared-activity';

const KEY = 'watchpost.signIn';

export const keepSignIn = (sessionId: string) => sessionStorage.setItem(KEY, sessionId);
export const forgetSignIn = () => sessionStorage.removeItem(KEY);

/** After a sign-in: every cached answer was for nobody, so all of them are asked again. */
export function useSignedIn(): (sessionId: string) => void {
  const dispatch = useAppDispatch();
  return (sessionId) => {
    keepSignIn(sessionId);
    dispatch(signedOutBy(null));
    dispatch(stationApi.util.resetApiState());
  };
}

/** Resumes this tab's sign-in on every new connection; the auth state once known (undefined until then). */
export function useAuthGate() {
  const client = useStationClient();
  const dispatch = useAppDispatch();
  const connection = useAppSelector((s) => s.shell.connection);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (connection !== 'open') return;
    const id = sessionStorage.getItem(KEY);
    if (!id) return void setReady(true);
    let live = true;
    client.call('auth.resume', { sessionId: id })
      .catch(() => forgetSignIn())
      .finally(() => {
        if (!live) return;
        setReady(true);
        dispatch(stationApi.util.resetApiState());
      });
    return () => { live = false; };
  }, [connection, client, dispatch]);
  useEffect(() => client.on('auth.changed', () => dispatch(operatorsApi.util.invalidateTags(['Auth']))), [client, dispatch]);
  // Polled: a session that ended at the station (idle, revoked) shows the sign-in page.
  const { data } = useAuthStateQuery(undefined, { skip: !ready, pollingInterval: 30_000 });
  const [signOut] = useSignOutMutation();
  const [lock] = useLockScreenMutation();
  const me = data?.me ?? null;
  const lastInput = useRef(Date.now());
  useEffect(() => {
    if (!me) return;
    // Input in another window of the app counts here too: a desktop pop-out carries the main window's sign-in.
    const elsewhere = sharedActivity(() => void (lastInput.current = Date.now()));
    const touch = () => {
      lastInput.current = Date.now();
      elsewhere.touched(lastInput.current);
    };
    const onKey = (e: KeyboardEvent) => {
      touch();
      if (isShortcut(e, 'global.lock') && !data?.locked) {
        e.preventDefault();
        void lock();
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', touch);
    const timer = setInterval(() => {
      if (Date.now() - lastInput.current > (data?.idleMinutes ?? 30) * 60_000) {
        forgetSignIn();
        void signOut();
      }
    }, 15_000);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', touch);
      clearInterval(timer);
      elsewhere.close();
    };
  }, [me, data?.locked, data?.idleMinutes, lock, signOut]);
  return data;
}
