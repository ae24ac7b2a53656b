// Debian's Mosquitto (software nobody here wrote) as the MQTT broker for tests: its own config in a temp folder, a loopback
// port, no anonymous clients, one user from mosquitto_passwd, no persistence (a restart forgets retained messages).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { endProcess } from './child-process';
import { freeTcpPort } from './in-process-station';

export interface Mosquitto {
  port: number;
  url: string;
  /** Stops the broker (SIGKILL: clients see the connection drop, as on a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const MOSQUITTO = '/usr/sbin/mosquitto';

/** Resolves once the port takes connections. */
async function listening(port: number, p: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    if (p.exitCode !== null) throw new Error(`mosquitto exited ${p.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(dir: string, user: string, password: string): Promise<Mosquitto> {
  const port = await freeTcpPort();
  const passwords = join(dir, 'passwords');
  execFileSync('mosquitto_passwd', ['-b', '-c', passwords, user, password], { stdio: 'ignore' });
  const conf = join(dir, 'mosquitto.conf');
  // Also on 127.0.0.2: the same broker under another host name.
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, `listener ${port} 127.0.0.2`, 'allow_anonymous false', `password_file ${passwords}`, 'persistence false', 'log_dest stderr',
    // Started as root, mosquitto would switch to the mosquitto user, who may not read this folder: it stays who we are.
    `user ${userInfo().username}`, ''].join('\n'));
  let proc: ChildProcess | undefined;
  let out = '';
  const broker: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      out = '';
      const p = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout!.on('data', (d) => (out += d));
      p.stderr!.on('data', (d) => (out += d));
      proc = p;
      await listening(port, p, () => out);
    },
    async kill() {
      if (proc) await endProcess(proc, 'SIGKILL');
      proc = undefined;
    },
    close: () => broker.kill(),
  };
  await broker.start();
  return broker;
}
