import {Box, Text, render, useApp, useInput} from 'ink';
import Spinner from 'ink-spinner';
import React, {useCallback, useEffect, useRef, useState} from 'react';
import {EXIT} from '../exit-codes.js';
import {colorsEnabled} from './theme.js';
import type {ServiceName} from '../cluster/services.js';
import {initialDashboardState, reduceDashboard, type DashboardAction, type DashboardState, type JournalView} from './status-dashboard-state.js';
import {COMPONENT_UNIT, type CellState} from '../status/health.js';
import type {StatusSnapshot} from '../status/json-schema.js';
import {LEADER_MARK, certText} from '../status/plain-table.js';
import {reduceKey, type Selection} from '../status/selection.js';
import {buildViewModel, type DashboardViewModel, type RowView} from '../status/view-model.js';

/**
 * The on-call dashboard (ink). `StatusDashboard` only renders a view model (the installer's
 * end screen embeds it); `StatusApp` refreshes, handles keys and shows journal tails;
 * `runStatusDashboard` mounts it and restores the terminal on every way out.
 */

export const MAX_WIDTH = 80;
const W = {pointer: 2, node: 10, address: 16, cell: 12, certs: 6, version: 10};

const STATE_COLOR: Record<CellState, string> = {ok: 'green', degraded: 'yellow', failed: 'red', unreachable: 'magenta', unknown: 'gray'};
const STATUS_COLOR = {healthy: 'green', degraded: 'yellow', down: 'red'} as const;
const SEVERITY_MARK = {down: '✖', failed: '✖', degraded: '!', warning: '!'} as const;

/** NO_COLOR (https://no-color.org), decided in one place: theme.tsx. */
export const colorEnabled = colorsEnabled;


export interface StatusDashboardProps {
	view: DashboardViewModel | null;
	selection?: Selection;
	color?: boolean;
	intervalMs?: number;
	refreshing?: boolean;
	/** The last refresh failed as a whole (the table shows the previous snapshot). */
	error?: string | null;
	journal?: JournalView | null;
	/** Show the key help line (not when embedded in the installer's end screen). */
	interactive?: boolean;
}

export function StatusDashboard(props: StatusDashboardProps): React.JSX.Element {
	const {view, selection = {row: 0, column: 0}, color = true, interactive = true} = props;
	const c = (name: string | undefined) => (color ? name : undefined);
	if (view === null) {
		return (
			<Box width={MAX_WIDTH}>
				<Text>
					<Spinner type="dots" /> probing the masters…
				</Text>
			</Box>
		);
	}
	const time = view.timestamp.slice(11, 19);
	return (
		<Box flexDirection="column" width={MAX_WIDTH}>
			<Box>
				<Box flexGrow={1}>
					<Text wrap="truncate">
						<Text bold>status</Text> · {view.profile} · {time} UTC · {view.durationMs} ms
						{props.intervalMs ? ` · every ${formatSeconds(props.intervalMs)}` : ''}
						{props.refreshing ? ' ·' : ''}
					</Text>
					{props.refreshing ? (
						<Text>
							{' '}
							<Spinner type="dots" />
						</Text>
					) : null}
				</Box>
				<Text bold color={c(STATUS_COLOR[view.status])}>
					{view.status.toUpperCase()}
				</Text>
			</Box>
			<Box>
				<Cell width={W.pointer} text="" />
				<Cell width={W.node} text="NODE" bold />
				<Cell width={W.address} text="ADDRESS" bold />
				{view.columns.map((col) => (
					<Cell key={col.component} width={W.cell} text={` ${col.label}`} bold />
				))}
				<Cell width={W.certs} text="CERTS" bold />
				<Cell width={W.version} text="VERSION" bold />
			</Box>
			{view.rows.map((row, r) => (
				<Row key={row.node} row={row} selectedColumn={interactive && r === selection.row ? selection.column : -1} color={color} />
			))}
			<Banner view={view} color={color} />
			{view.change === null ? null : (
				// Wrapped within the 80 columns, not cut: its end says what to do.
				<Box width={MAX_WIDTH}>
					<Text color={c('yellow')} wrap="wrap">
						{view.change}
					</Text>
				</Box>
			)}
			{view.etcd === null ? null : <EtcdLines lines={view.etcd} color={color} />}
			{[view.clients, view.encryption, view.storedSecrets, view.departed].map((line, i) =>
				line === null ? null : (
					<Box key={i} width={MAX_WIDTH}>
						<Text color={c(i === 1 || /does not answer|no failover/.test(line) ? 'yellow' : 'green')} wrap="wrap">
							{line}
						</Text>
					</Box>
				),
			)}
			{props.error ? (
				<Text color={c('red')} wrap="truncate-end">
					refresh failed: {props.error} (showing the previous snapshot)
				</Text>
			) : null}
			{props.journal ? <Journal journal={props.journal} color={color} /> : null}
			{interactive ? (
				<Text dimColor={color} wrap="truncate">
					{LEADER_MARK} Lease holder · ↑↓←→ select · ⏎/l journal · r refresh · q quit
				</Text>
			) : null}
		</Box>
	);
}

function Row({row, selectedColumn, color}: {row: RowView; selectedColumn: number; color: boolean}): React.JSX.Element {
	const c = (name: string | undefined) => (color ? name : undefined);
	const certColor = row.certState === 'expired' ? 'red' : row.certState === 'warning' ? 'yellow' : undefined;
	return (
		<Box>
			<Cell width={W.pointer} text={selectedColumn >= 0 ? '›' : ''} />
			<Cell width={W.node} text={row.node} />
			<Cell width={W.address} text={row.ip} />
			{row.cells.map((cell, i) => {
				const selected = i === selectedColumn;
				const text = `${selected ? '[' : ' '}${cell.state}${cell.leader ? ` ${LEADER_MARK}` : ''}${selected ? ']' : ''}`;
				return <Cell key={cell.component} width={W.cell} text={text} color={c(STATE_COLOR[cell.state])} inverse={selected && color} />;
			})}
			<Cell width={W.certs} text={certText(row)} color={c(certColor)} />
			<Cell width={W.version} text={row.version ?? '-'} />
		</Box>
	);
}

function Cell(props: {width: number; text: string; bold?: boolean; color?: string | undefined; inverse?: boolean}): React.JSX.Element {
	return (
		<Box width={props.width} flexShrink={0}>
			<Text wrap="truncate" bold={props.bold} color={props.color} inverse={props.inverse}>
				{props.text}
			</Text>
		</Box>
	);
}

function Banner({view, color}: {view: DashboardViewModel; color: boolean}): React.JSX.Element {
	const c = (name: string | undefined) => (color ? name : undefined);
	if (view.banner === null) {
		return (
			<Box marginTop={1}>
				<Text color={c('green')}>✔ all components healthy, both Leases held</Text>
			</Box>
		);
	}
	const b = view.banner;
	const tone = b.severity === 'warning' || b.severity === 'degraded' ? 'yellow' : 'red';
	return (
		<Box marginTop={1} flexDirection="column">
			<Text color={c(tone)} bold>
				{SEVERITY_MARK[b.severity]} {b.message}
			</Text>
			<Text>  → {b.hint}</Text>
			{b.more > 0 ? <Text dimColor={color}>  (+{b.more} more problem{b.more === 1 ? '' : 's'}: `status --json` lists them all)</Text> : null}
		</Box>
	);
}

/** The stacked etcd: its summary (green when nothing is wrong with it), then each of its problems, marked as in the banner. */
function EtcdLines({lines, color}: {lines: NonNullable<DashboardViewModel['etcd']>; color: boolean}): React.JSX.Element {
	const c = (name: string | undefined) => (color ? name : undefined);
	return (
		<Box flexDirection="column" width={MAX_WIDTH}>
			{lines.map((line, i) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={i} wrap="wrap" color={c(line.severity === null ? (lines.length === 1 ? 'green' : 'yellow') : line.severity === 'down' || line.severity === 'failed' ? 'red' : 'yellow')}>
					{line.severity === null ? line.text : `${SEVERITY_MARK[line.severity]} ${line.text}`}
				</Text>
			))}
		</Box>
	);
}

function Journal({journal, color}: {journal: JournalView; color: boolean}): React.JSX.Element {
	const lines = journal.text.replace(/\n+$/, '').split('\n');
	return (
		<Box marginTop={1} flexDirection="column" width={MAX_WIDTH}>
			<Text bold inverse={color} wrap="truncate">
				journal · {journal.node} · {journal.unit} (journalctl -u {journal.unit} -n 30) · Esc closes
			</Text>
			{journal.state === 'loading' ? (
				<Text>
					<Spinner type="dots" /> reading…
				</Text>
			) : journal.state === 'error' ? (
				<Text color={color ? 'red' : undefined}>could not read the journal: {journal.text}</Text>
			) : journal.text.trim() === '' ? (
				<Text>(no entries)</Text>
			) : (
				// Wrapped, not cut: the end of a journal line is usually the error message.
				lines.map((line, i) => (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={i}>{line}</Text>
				))
			)}
		</Box>
	);
}

function formatSeconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export type JournalFn = (node: string, unit: ServiceName) => Promise<string>;

export interface StatusAppProps {
	refresh: () => Promise<StatusSnapshot>;
	journal: JournalFn;
	intervalMs: number;
	certWarningDays?: number;
	color?: boolean;
	/** Called with each new view model (runStatusDashboard keeps the last exit code). */
	onView?: (view: DashboardViewModel) => void;
	/** Ctrl-C (default: quit as on `q`). */
	onInterrupt?: () => void;
}

/** The live dashboard: refreshes every intervalMs (never overlapping), keys as in selection.ts. */
export function StatusApp(props: StatusAppProps): React.JSX.Element {
	const {exit} = useApp();
	// The state lives in a reducer (status-dashboard-state.ts); keys read the latest state
	// through a ref, updated as each action is reduced: a key can arrive before ink
	// re-subscribes a new handler.
	const [state, setState] = useState<DashboardState>(initialDashboardState);
	const stateRef = useRef(state);
	const dispatch = useCallback((action: DashboardAction) => {
		stateRef.current = reduceDashboard(stateRef.current, action);
		setState(stateRef.current);
	}, []);
	const timer = useRef<NodeJS.Timeout | undefined>(undefined);
	const inFlight = useRef(false);
	const alive = useRef(true);
	const propsRef = useRef(props);
	propsRef.current = props;

	const tick = useCallback(async () => {
		if (inFlight.current || !alive.current) return;
		inFlight.current = true;
		clearTimeout(timer.current);
		dispatch({type: 'refresh-started'});
		try {
			const snapshot = await propsRef.current.refresh();
			if (!alive.current) return;
			const next = buildViewModel(snapshot, {certWarningDays: propsRef.current.certWarningDays});
			dispatch({type: 'refreshed', view: next});
			propsRef.current.onView?.(next);
		} catch (e) {
			if (alive.current) dispatch({type: 'refresh-failed', message: e instanceof Error ? e.message : String(e)});
		} finally {
			inFlight.current = false;
			if (alive.current) {
				dispatch({type: 'refresh-ended'});
				timer.current = setTimeout(() => void tick(), propsRef.current.intervalMs);
			}
		}
	}, [dispatch]);

	useEffect(() => {
		alive.current = true;
		void tick();
		return () => {
			alive.current = false;
			clearTimeout(timer.current);
		};
	}, [tick]);

	const openJournal = (row: RowView | undefined, column: number) => {
		const component = stateRef.current.view?.columns[column]?.component;
		if (!row || !component) return;
		const unit = COMPONENT_UNIT[component];
		dispatch({type: 'journal-opened', node: row.node, unit});
		propsRef.current.journal(row.node, unit).then(
			(text) => alive.current && dispatch({type: 'journal-answered', node: row.node, unit, ok: true, text}),
			(e: unknown) => alive.current && dispatch({type: 'journal-answered', node: row.node, unit, ok: false, text: e instanceof Error ? e.message : String(e)}),
		);
	};

	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			if (propsRef.current.onInterrupt) propsRef.current.onInterrupt();
			else exit();
			return;
		}
		const {view, journal, selection} = stateRef.current;
		const size = {rows: view?.rows.length ?? 0, columns: view?.columns.length ?? 3};
		const {selection: next, command} = reduceKey(selection, {...key, input}, size);
		dispatch({type: 'selected', selection: next});
		switch (command.type) {
			case 'quit':
				exit();
				break;
			case 'refresh':
				void tick();
				break;
			case 'close-journal':
				dispatch({type: 'journal-closed'});
				break;
			case 'toggle-journal': {
				const row = view?.rows[next.row];
				const component = view?.columns[next.column]?.component;
				if (journal && row && component && journal.node === row.node && journal.unit === COMPONENT_UNIT[component]) dispatch({type: 'journal-closed'});
				else openJournal(row, next.column);
				break;
			}
			case 'none':
				// A moved selection leaves an open journal on its old target until asked again.
				break;
		}
	});

	const {view, selection, refreshing, error, journal} = state;
	return (
		<StatusDashboard
			view={view}
			selection={selection}
			color={props.color ?? colorEnabled()}
			intervalMs={props.intervalMs}
			refreshing={refreshing}
			error={error}
			journal={journal}
		/>
	);
}

export interface RunStatusDashboardOptions {
	refresh: () => Promise<StatusSnapshot>;
	journal: JournalFn;
	intervalMs?: number;
	certWarningDays?: number;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	/** Route console output above the dashboard (ink's patchConsole; default true). */
	patchConsole?: boolean;
	/** Aborted by the command's first SIGINT/SIGTERM: the dashboard ends. */
	signal?: AbortSignal;
	/** Ctrl-C: the command's stop (a first signal); without it Ctrl-C quits as `q` does. */
	onInterrupt?: () => void;
}

/**
 * Mounts the dashboard until `q`, Ctrl+C, the stop signal or SIGHUP, and unmounts it on
 * every way out (ink restores raw mode and the cursor on unmount). Resolves to the exit
 * code of the last snapshot's health (exit-codes.ts; "failed" if none arrived).
 */
export async function runStatusDashboard(options: RunStatusDashboardOptions): Promise<number> {
	let exitCode: number = EXIT.failed;
	const instance = render(
		<StatusApp
			refresh={options.refresh}
			journal={options.journal}
			intervalMs={options.intervalMs ?? 2000}
			certWarningDays={options.certWarningDays}
			onView={(v) => {
				exitCode = v.exitCode;
			}}
			{...(options.onInterrupt ? {onInterrupt: options.onInterrupt} : {})}
		/>,
		{stdout: options.stdout ?? process.stdout, stdin: options.stdin ?? process.stdin, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true},
	);
	const stop = () => instance.unmount();
	if (options.signal?.aborted) stop();
	options.signal?.addEventListener('abort', stop, {once: true});
	process.once('SIGHUP', stop);
	try {
		await instance.waitUntilExit();
	} finally {
		options.signal?.removeEventListener('abort', stop);
		process.off('SIGHUP', stop);
		instance.unmount();
		instance.cleanup();
	}
	return exitCode;
}
