import type {DashboardViewModel, RowView} from './view-model.js';

/**
 * Without a TTY and without --json: the dashboard as plain text, printed once (or once per
 * refresh with --watch). No colour, no cursor movement; every problem with its hint below.
 */

export const LEADER_MARK = '★';

export function cellText(cell: RowView['cells'][number]): string {
	return cell.leader ? `${cell.state} ${LEADER_MARK}` : cell.state;
}

export function certText(row: RowView): string {
	if (row.certDaysLeft === null) return '-';
	const mark = row.certState === 'warning' || row.certState === 'expired' ? '!' : '';
	return `${row.certDaysLeft}d${mark}`;
}

export function renderPlainTable(view: DashboardViewModel): string {
	const header = ['NODE', 'ADDRESS', ...view.columns.map((c) => c.label), 'CERTS', 'VERSION', 'RESTARTS'];
	const body = view.rows.map((row) => [
		row.node,
		row.ip,
		...row.cells.map(cellText),
		certText(row),
		row.version ?? '-',
		row.restarts === null ? '-' : String(row.restarts),
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
	const out = [
		`profile ${view.profile}  ${view.timestamp}  ${view.status.toUpperCase()} (exit ${view.exitCode})  ${view.durationMs} ms`,
		line(header),
		...body.map(line),
	];
	if (view.problems.length === 0) out.push('', 'no problems');
	else {
		out.push('', `${view.problems.length} problem${view.problems.length === 1 ? '' : 's'}, worst first:`);
		for (const p of view.problems) out.push(`  [${p.severity}] ${p.message}`, `      → ${p.hint}`);
	}
	out.push(`${LEADER_MARK} holds the Lease; certs: days to the nearest expiry (! below the warning threshold)`);
	return `${out.join('\n')}\n`;
}
