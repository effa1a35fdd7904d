import {readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {statusJsonSchema, StatusReportSchema, StatusSnapshotSchema} from '../../source/status/json-schema.js';
import {buildReport} from '../../source/status/view-model.js';
import {changeStatus} from '../../source/status/change.js';
import {etcdStatus} from '../../source/status/etcd.js';
import {changeJournal, healthySnapshot} from './status-fixtures.js';

const DOC = new URL('../../docs/status.schema.json', import.meta.url);

describe('status --json schema', () => {
	it('docs/status.schema.json is the JSON Schema generated from the zod schema (UPDATE_STATUS_SCHEMA=1 rewrites it)', () => {
		const generated = `${JSON.stringify(statusJsonSchema(), null, 2)}\n`;
		if (process.env.UPDATE_STATUS_SCHEMA === '1') {
			mkdirSync(new URL('.', DOC), {recursive: true});
			writeFileSync(DOC, generated);
		}
		expect(readFileSync(DOC, 'utf8')).toBe(generated);
	});

	it('documents every top-level field and requires them', () => {
		const schema = statusJsonSchema() as {required?: string[]; properties?: Record<string, unknown>};
		expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'profile', 'timestamp', 'durationMs', 'nodes', 'leases', 'health']));
		expect(Object.keys(schema.properties ?? {})).toContain('health');
	});

	it('a snapshot is not a report (health is required); a report is', () => {
		const snap = healthySnapshot();
		expect(StatusSnapshotSchema.safeParse(snap).success).toBe(true);
		expect(StatusReportSchema.safeParse(snap).success).toBe(false);
		expect(StatusReportSchema.parse(buildReport(snap)).health.exitCode).toBe(0);
	});

	it('the generated JSON Schema itself validates a report with a JSON Schema validator (ajv, draft 2020-12)', async () => {
		const {default: Ajv2020} = (await import('ajv/dist/2020.js')) as unknown as {default: new (o: object) => {compile(s: object): ((d: unknown) => boolean) & {errors?: unknown}}};
		const validate = new Ajv2020({strict: false, validateFormats: false}).compile(JSON.parse(readFileSync(DOC, 'utf8')) as object);
		const report = buildReport(healthySnapshot());
		expect(validate(JSON.parse(JSON.stringify(report)))).toBe(true);
		expect(validate({...report, health: {...report.health, status: 'fine'}})).toBe(false);
	});

	it('docs/status.schema.json: change is required, null or an unfinished change (interrupted, stopped, unreadable)', async () => {
		const {default: Ajv2020} = (await import('ajv/dist/2020.js')) as unknown as {default: new (o: object) => {compile(s: object): ((d: unknown) => boolean) & {errors?: unknown}}};
		const validate = new Ajv2020({strict: false, validateFormats: false}).compile(JSON.parse(readFileSync(DOC, 'utf8')) as object);
		const report = JSON.parse(JSON.stringify(buildReport(healthySnapshot()))) as Record<string, unknown>;
		const file = '/state/rollout-journal.json';
		for (const change of [
			changeStatus({file, journal: changeJournal('running')}),
			changeStatus({file, journal: changeJournal('stopped', {rolledBack: true})}),
			changeStatus({file, unreadable: 'Unexpected end of JSON input'}),
		]) {
			expect(validate({...report, change: JSON.parse(JSON.stringify(change))})).toBe(true);
		}
		expect(validate({...report, change: {state: 'running', file}})).toBe(false);
		const {change: _change, ...without} = report;
		expect(validate(without)).toBe(false);
	});

	it('docs/status.schema.json: etcd is required, null (external) or the stacked members', async () => {
		const {default: Ajv2020} = (await import('ajv/dist/2020.js')) as unknown as {default: new (o: object) => {compile(s: object): ((d: unknown) => boolean) & {errors?: unknown}}};
		const validate = new Ajv2020({strict: false, validateFormats: false}).compile(JSON.parse(readFileSync(DOC, 'utf8')) as object);
		const names = ['lab-m1', 'lab-m2', 'lab-m3'];
		const etcd = etcdStatus(
			{
				statuses: [
					{name: 'lab-m1', ok: true, leader: '1', memberId: '1', raftIndex: 12, errors: [], version: '3.6.5', dbSizeBytes: 2_000_000},
					{name: 'lab-m2', ok: true, leader: '1', memberId: '2', raftIndex: 11, errors: ['memberID:2 alarm:NOSPACE']},
					{name: 'lab-m3', ok: false, detail: 'timed out'},
				],
				members: names.map((name, i) => ({id: String(i + 1), name, peerUrls: [], isLearner: false})),
			},
			names,
			8 * 1024 ** 3,
		);
		const report = JSON.parse(JSON.stringify(buildReport({...healthySnapshot(), etcd}))) as Record<string, unknown>;
		expect(validate(report)).toBe(true);
		expect(validate({...report, etcd: null})).toBe(true);
		expect(validate({...report, etcd: {...etcd, leader: 7}})).toBe(false);
		const {etcd: _etcd, ...without} = report;
		expect(validate(without)).toBe(false);
	});

	it('rejects times that are not ISO UTC and unknown probe states', () => {
		const report = buildReport(healthySnapshot());
		expect(StatusReportSchema.safeParse({...report, timestamp: 'yesterday'}).success).toBe(false);
		const bad = structuredClone(report);
		(bad.nodes[0]!.apiserver.livez as {state: string}).state = 'fine';
		expect(StatusReportSchema.safeParse(bad).success).toBe(false);
	});
});
