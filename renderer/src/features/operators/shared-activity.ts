// Input in any of the app's windows counts as activity in all of them: a desktop pop-out carries the main window's
// sign-in, so neither may sign it out for idleness while the operator works in the other. Same origin: one channel.
const NAME = 'watchpost.activity';

/** `touched` on input here (told to the other windows at most every `everyMs`); `onElsewhere` on input in another. */
export function sharedActivity(onElsewhere: () => void, everyMs = 5000): { touched(at: number): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { touched() {}, close() {} };
  const channel = new BroadcastChannel(NAME);
  let sent = -Infinity;
  channel.onmessage = () => onElsewhere();
  return {
    touched(at) {
      if (at - sent < everyMs) return;
      sent = at;
      channel.postMessage(at);
    },
    close: () => channel.close(),
  };
}
