// The architecture's layer rules, checked on every source file (docs/ARCHITECTURE.md, "Layers" and "Rules of the house").
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' ? [] : files(p);
    return /\.(ts|tsx)$/.test(n) ? [p] : [];
  });
}

export function importsOf(source: string): string[] {
  const re = /(?:^|[;\s])(?:import|export)\s[^'"`]*?from\s+['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^\w.])require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  const out: string[] = [];
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return out;
}

type Layer = 'contract' | 'core' | 'main' | 'preload' | 'renderer';
const LAYERS: Record<Layer, string> = {
  contract: 'electron/contract', core: 'electron/core', main: 'electron/main', preload: 'electron/preload', renderer: 'renderer/src',
};
/** The core's area of a file (electron/core/<area>/…), or null for the core's shared root files. */
function areaOf(absPath: string): { area: string; privatePart: boolean } | null {
  const parts = relative(join(root, LAYERS.core), absPath).split('/');
  if (parts[0] === '..' || parts.length < 2) return null;
  const isFolder = existsSync(absPath) && statSync(absPath).isDirectory();
  return { area: parts[0]!, privatePart: parts.length > 2 || (parts.length === 2 && isFolder) };
}

function layerOf(absPath: string): Layer | 'other' {
  const rel = relative(root, absPath);
  for (const [layer, dir] of Object.entries(LAYERS)) if (rel === dir || rel.startsWith(`${dir}/`)) return layer as Layer;
  return 'other';
}

/** Returns why an import breaks the rules, or null. */
export function violation(from: Layer, spec: string, fromFile: string): string | null {
  const isRelative = spec.startsWith('.');
  const target = isRelative ? layerOf(resolve(dirname(fromFile), spec)) : null;
  const pkg = isRelative ? null : spec;
  const isNode = pkg !== null && NODE.has(pkg);
  const isElectron = pkg === 'electron' || pkg?.startsWith('electron/') === true;
  switch (from) {
    case 'contract':
      if (isRelative) return target === 'contract' ? null : `contract imports ${target}`;
      return pkg === 'zod' ? null : `contract may import only zod, not ${pkg}`;
    case 'core':
      if (isRelative) {
        const abs = resolve(dirname(fromFile), spec);
        const top = relative(root, abs).split('/')[0];
        if (target === 'other') return top === 'scripts' || top === 'tests' ? `core imports ${top}/` : null;
        if (target !== 'core') return target === 'contract' ? null : `core imports ${target}`;
        const [from_, to] = [areaOf(fromFile), areaOf(abs)];
        // An area's subfolders (devices/drivers, devices/discovery, storage/migrations, …) are its own; other areas use its top-level files.
        if (to?.privatePart && from_?.area !== to.area) return `core area ${from_?.area ?? '(root)'} imports ${to.area}'s private ${relative(join(root, LAYERS.core), abs)}`;
        return null;
      }
      return isElectron ? 'core imports electron' : /^(react|react-dom)/.test(pkg!) ? `core imports ${pkg}` : null;
    case 'main':
      // The catalogues are data: the desktop shell words its notifications, tray and menus from them too.
      if (isRelative && target === 'renderer') return /\/renderer\/src\/i18n\/locales\/[a-z]+\/[a-z-]+\.json$/.test(resolve(dirname(fromFile), spec)) ? null : 'main imports the renderer';
      return null;
    case 'preload':
      if (isRelative) return target === 'contract' ? null : `preload imports ${target}`;
      return isElectron ? null : `preload may import only electron and the contract, not ${pkg}`;
    case 'renderer':
      if (isRelative) return target === 'renderer' || target === 'contract' ? null : `renderer imports ${target}`;
      if (isNode) return `renderer imports the Node built-in ${pkg}`;
      return isElectron ? 'renderer imports electron' : null;
  }
}

describe('layer rules', () => {
  const all = Object.values(LAYERS).flatMap((d) => files(join(root, d)));

  it('finds the layers', () => {
    for (const layer of Object.keys(LAYERS)) expect(all.some((f) => layerOf(f) === layer)).toBe(true);
  });

  it('no file breaks them', () => {
    const broken: string[] = [];
    for (const f of all) {
      const from = layerOf(f) as Layer;
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        const why = violation(from, spec, f);
        if (why) broken.push(`${relative(root, f)}: ${why} ('${spec}')`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('catches what it should', () => {
    const f = (l: string) => join(root, l, 'x.ts');
    expect(violation('core', 'electron', f('electron/core'))).toBe('core imports electron');
    expect(violation('contract', 'node:fs', f('electron/contract'))).toMatch(/only zod/);
    expect(violation('renderer', 'node:fs', f('renderer/src'))).toMatch(/Node built-in/);
    expect(violation('renderer', 'fs', f('renderer/src'))).toMatch(/Node built-in/);
    expect(violation('renderer', '../../../electron/core/station', f('renderer/src/app'))).toBe('renderer imports core');
    expect(violation('preload', '../core/station', f('electron/preload'))).toBe('preload imports core');
    expect(violation('core', '../../scripts/demo', f('electron/core'))).toBe('core imports scripts/');
    expect(violation('core', '../../../tests/helpers/station-call', f('electron/core/live'))).toBe('core imports tests/');
    expect(violation('core', '../devices/drivers/onvif-ptz', f('electron/core/live'))).toBe("core area live imports devices's private devices/drivers/onvif-ptz");
    expect(violation('core', './devices/discovery/dhip', f('electron/core'))).toBe("core area (root) imports devices's private devices/discovery/dhip");
    expect(violation('core', './storage/migrations', f('electron/core'))).toBe("core area (root) imports storage's private storage/migrations");
    expect(violation('main', '../../renderer/src/i18n/locales/de/events.json', f('electron/main'))).toBeNull();
    expect(violation('main', '../../renderer/src/i18n/index', f('electron/main'))).toBe('main imports the renderer');
    expect(violation('core', '../drivers/onvif', f('electron/core/devices/discovery'))).toBeNull();
    expect(violation('core', '../devices/device-service', f('electron/core/live'))).toBeNull();
    expect(violation('core', '../../package.json', f('electron/core/server'))).toBeNull();
    expect(importsOf("import x from 'a';\nconst y = require('electron');\nimport('b');\nexport { z } from './c';")).toEqual(['a', 'electron', 'b', './c']);
  });
});
