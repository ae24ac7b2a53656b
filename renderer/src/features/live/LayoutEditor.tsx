import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { shortcutOf } from '../../app/shortcuts';
import { useModal } from '../../ui/use-modal';
import { customLayout, mergeCells, MAX_CUSTOM_GRID, rectOf, singleCells, splitCell, type Cell, type Layout } from './layouts';

interface Props {
  custom: Layout[];
  onSave(l: Layout): void;
  onDelete(id: string): void;
  onClose(): void;
}

type Pos = { col: number; row: number };

/** Custom layouts: pick a grid, merge rectangles of cells into larger tiles (drag, or Shift+arrows and Enter), name, save. */
export function LayoutEditor({ custom, onSave, onDelete, onClose }: Props) {
  const { t } = useTranslation('live');
  const [grid, setGrid] = useState(4);
  const [cells, setCells] = useState<Cell[]>(() => singleCells(4));
  const [anchor, setAnchor] = useState<Pos>({ col: 0, row: 0 });
  const [cursor, setCursor] = useState<Pos>({ col: 0, row: 0 });
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const dragging = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const dialog = useModal<HTMLDivElement>(onClose);

  const sel = rectOf(anchor, cursor);
  const reset = (n: number, c = singleCells(n)) => {
    setGrid(n); setCells(c); setAnchor({ col: 0, row: 0 }); setCursor({ col: 0, row: 0 }); setError(null);
  };
  const merge = (r: Cell) => {
    const next = mergeCells(cells, r);
    if (typeof next === 'string') { setError(t('editor.cannotMerge', { problem: next })); return; }
    setCells(next);
    setError(null);
    setAnchor({ col: r.col, row: r.row }); setCursor({ col: r.col, row: r.row });
  };
  const split = () => { setCells(splitCell(cells, cursor)); setError(null); };

  const posAt = (e: PointerEvent): Pos => {
    const r = box.current!.getBoundingClientRect();
    const clamp = (v: number) => Math.min(grid - 1, Math.max(0, Math.floor(v)));
    return { col: clamp(((e.clientX - r.left) / r.width) * grid), row: clamp(((e.clientY - r.top) / r.height) * grid) };
  };
  const onPointerDown = (e: PointerEvent) => {
    const p = posAt(e);
    dragging.current = true;
    box.current!.setPointerCapture(e.pointerId);
    setAnchor(p); setCursor(p);
  };
  const onPointerMove = (e: PointerEvent) => { if (dragging.current) setCursor(posAt(e)); };
  const onPointerUp = (e: PointerEvent) => {
    if (!dragging.current) return;
    dragging.current = false;
    const r = rectOf(anchor, posAt(e));
    if (r.w * r.h > 1) merge(r);
  };

  const onKey = (e: KeyboardEvent) => {
    const d: Record<string, Pos> = { ArrowLeft: { col: -1, row: 0 }, ArrowRight: { col: 1, row: 0 }, ArrowUp: { col: 0, row: -1 }, ArrowDown: { col: 0, row: 1 } };
    const what = shortcutOf(e, 'layoutEditor');
    if (what === 'layoutEditor.move' || what === 'layoutEditor.extend') {
      const step = d[e.key]!;
      const next = { col: Math.min(grid - 1, Math.max(0, cursor.col + step.col)), row: Math.min(grid - 1, Math.max(0, cursor.row + step.row)) };
      setCursor(next);
      if (what === 'layoutEditor.move') setAnchor(next);
    } else if (what === 'layoutEditor.merge') merge(sel);
    else if (what === 'layoutEditor.split') split();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const save = () => {
    const l = customLayout(name, grid, cells);
    if (typeof l === 'string') { setError(t('editor.cannotSave', { problem: l })); return; }
    onSave(l);
  };
  const edit = (l: Layout) => { reset(l.grid, l.cells); setName(l.label); };

  return (
    <div ref={dialog} className="layout-editor" role="dialog" aria-modal="true" aria-labelledby="layout-editor-title">
      <h2 id="layout-editor-title">{t('editor.title')}</h2>
      <div className="le-row">
        <label>{t('editor.grid')}{' '}
          <select aria-label={t('editor.gridSize')} value={grid} onChange={(e) => reset(Number(e.target.value))}>
            {Array.from({ length: MAX_CUSTOM_GRID }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{t('editor.gridOption', { n })}</option>)}
          </select>
        </label>
        <span className="le-count">{t('editor.tiles', { count: cells.length })}</span>
        <span className="spacer" />
        <button type="button" onClick={() => merge(sel)} title={t('editor.mergeTitle')}>{t('editor.merge')}</button>
        <button type="button" onClick={split} title={t('editor.splitTitle')}>{t('editor.split')}</button>
        <button type="button" onClick={() => reset(grid)}>{t('editor.reset')}</button>
      </div>
      <div
        ref={box}
        className="le-grid"
        tabIndex={0}
        data-autofocus
        role="application"
        aria-label={t('editor.cellsLabel', { n: grid })}
        aria-describedby="le-help"
        data-testid="layout-grid"
        style={{ gridTemplateColumns: `repeat(${grid}, 1fr)`, gridTemplateRows: `repeat(${grid}, 1fr)` }}
        onKeyDown={onKey}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
      >
        {cells.map((c, i) => (
          <div key={`${c.col}:${c.row}`} className="le-cell" data-cell={i} data-size={`${c.w}x${c.h}`}
            style={{ gridColumn: `${c.col + 1} / span ${c.w}`, gridRow: `${c.row + 1} / span ${c.h}` }}>{i + 1}</div>
        ))}
        <div className="le-sel" aria-hidden="true" style={{ gridColumn: `${sel.col + 1} / span ${sel.w}`, gridRow: `${sel.row + 1} / span ${sel.h}` }} />
      </div>
      <p id="le-help" className="le-help">{t('editor.help')}</p>
      {error && <div className="le-error" role="alert">{error}</div>}
      <div className="le-row">
        <input aria-label={t('editor.nameLabel')} placeholder={t('editor.namePlaceholder')} value={name} maxLength={40}
          onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && save()} />
        <button type="button" className="primary" onClick={save}>{t('editor.save')}</button>
        <button type="button" onClick={onClose}>{t('common:close')}</button>
      </div>
      {custom.length > 0 && (
        <ul className="le-saved" aria-label={t('editor.saved')}>
          {custom.map((l) => (
            <li key={l.id}>
              <span>{l.label}</span><span className="le-count">{t('editor.savedTiles', { count: l.cells.length, n: l.grid })}</span>
              <button type="button" onClick={() => edit(l)} aria-label={t('editor.editLabel', { name: l.label })}>{t('editor.edit')}</button>
              <button type="button" onClick={() => onDelete(l.id)} aria-label={t('editor.deleteLabel', { name: l.label })}>{t('editor.delete')}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
