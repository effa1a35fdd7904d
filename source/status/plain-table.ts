import type {DashboardViewModel, RowView} from './view-model.js';
import {wrapWords} from '../wrap-words.js';

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


/** `width`: where the change line wraps (the table's rows are never wrapped). */
export function renderPlainTable(view: DashboardViewModel, width = 80): string {
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
		// Right below the nodes: an unfinished change explains much of what the table shows.
		...(view.change === null ? [] : ['', ...wrapWords(view.change, width, '  ')]),
		// etcd: the summary line only; its problems, each with the fix, are in the list below.
		...[view.etcd?.[0]?.text ?? null, view.clients, view.encryption, view.storedSecrets, view.departed].flatMap((l) => (l === null ? [] : wrapWords(l, width, '  '))),
	];
	if (view.problems.length === 0) out.push('', 'no problems');
	else {
		out.push('', `${view.problems.length} problem${view.problems.length === 1 ? '' : 's'}, worst first:`);
		for (const p of view.problems) out.push(`  [${p.severity}] ${p.message}`, `      → ${p.hint}`);
	}
	out.push(`${LEADER_MARK} holds the Lease; certs: days to the nearest expiry (! below the warning threshold)`);
	return `${out.join('\n')}\n`;
}
