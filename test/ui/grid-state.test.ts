import {describe, expect, test} from 'vitest';
import {cellOf, initialGridState, progressOf, reduceGrid, reduceGridAll} from '../../source/ui/grid-state.js';
import {initialGridView, keyOf, reduceGridView} from '../../source/ui/grid-keys.js';
import {cellText, nodeColumnWidth} from '../../source/ui/grid-layout.js';
import {editText} from '../../source/ui/wizard/text-edit.js';
import {recordedRun} from './helpers.js';

describe('reduceGrid', () => {
	test('a successful run ends with every cell done and no failed nodes', () => {
		const s = reduceGridAll(recordedRun());
		expect(s.finished).toBe(true);
		expect(s.ok).toBe(true);
		expect(progressOf(s)).toEqual({finished: 27, total: 27, failed: 0, running: 0});
		expect(cellOf(s, 'master2', 'binaries')).toEqual({status: 'done', durationMs: 1200, changed: 1});
		expect(s.lastLine['master3']).toBe('verify on master3');
	});

	test('a failure keeps cause, hint and detail; later steps of that node stay pending', () => {
		const s = reduceGridAll(recordedRun({failAt: {node: 'master2', step: 'apiserver'}}));
		const cell = cellOf(s, 'master2', 'apiserver');
		expect(cell.status).toBe('failed');
		if (cell.status !== 'failed') return;
		expect(cell.hint).toContain('etcd endpoints');
		expect(cell.detail).toContain('E0101');
		expect(cellOf(s, 'master2', 'scheduler').status).toBe('pending');
		expect(s.failedNodes).toEqual(['master2']);
		expect(s.ok).toBe(false);
	});

	test('progress keeps bytes and message; a retry of a failed node clears its failure', () => {
		let s = reduceGridAll(recordedRun({failAt: {node: 'master1', step: 'binaries'}, nodes: ['master1']}));
		s = reduceGrid(s, {type: 'step-started', at: 5, node: 'master1', step: 'binaries'});
		s = reduceGrid(s, {type: 'step-progress', at: 6, node: 'master1', step: 'binaries', bytes: 30, totalBytes: 120, message: 'uploading kubectl'});
		expect(cellOf(s, 'master1', 'binaries')).toMatchObject({status: 'running', bytes: 30, totalBytes: 120, message: 'uploading kubectl'});
		expect(s.failedNodes).toEqual([]);
		expect(s.finished).toBe(false);
		expect(cellText(cellOf(s, 'master1', 'binaries'), 0)).toBe('⠋ 25%');
	});

	test('log tails are bounded', () => {
		let s = initialGridState(['a']);
		for (let i = 0; i < 100; i++) s = reduceGrid(s, {type: 'log', at: i, node: 'a', step: 'verify', line: `l${i}`});
		expect(s.logTail['a']?.verify).toHaveLength(20);
		expect(s.logTail['a']?.verify?.at(-1)).toBe('l99');
	});
});

describe('grid keys and layout', () => {
	const grid = reduceGridAll(recordedRun({failAt: {node: 'master2', step: 'configs'}}));
	test('arrows move and clamp; Enter opens details, Esc closes', () => {
		let v = initialGridView;
		v = reduceGridView(v, 'up', grid).view;
		expect([v.row, v.col]).toEqual([0, 0]);
		for (let i = 0; i < 20; i++) v = reduceGridView(v, 'right', grid).view;
		expect(v.col).toBe(8);
		v = reduceGridView(v, 'down', grid).view;
		v = reduceGridView(v, 'enter', grid).view;
		expect(v.mode).toBe('details');
		v = reduceGridView(v, 'escape', grid).view;
		expect(v.mode).toBe('grid');
	});
	test('r retries only a node with a failed step; q quits once', () => {
		const onOk = reduceGridView(initialGridView, 'retry', grid);
		expect(onOk.command).toBeUndefined();
		expect(onOk.view.notice).toContain('no failed step');
		const onFailed = reduceGridView({...initialGridView, row: 1}, 'retry', grid);
		expect(onFailed.command).toEqual({type: 'retry', node: 'master2'});
		const q = reduceGridView(initialGridView, 'quit', grid);
		expect(q.command).toEqual({type: 'quit'});
		expect(reduceGridView(q.view, 'quit', grid).command).toBeUndefined();
		expect(keyOf('c', {ctrl: true})).toBe('quit');
	});
	test('9 steps and the node column fit 80 columns', () => {
		expect(nodeColumnWidth(['a-very-long-master-node-name'], 9, 80)).toBe(14);
		expect(2 + 14 + 9 * 7).toBeLessThan(80);
	});
});

describe('editText', () => {
	test('insert, move, delete, clear', () => {
		let t = {value: '', cursor: 0};
		t = editText(t, '10.0.0.1', {})!;
		t = editText(t, '', {leftArrow: true})!;
		t = editText(t, '', {delete: true})!;
		expect(t).toEqual({value: '10.0.01', cursor: 6});
		t = editText(t, '9', {})!;
		expect(t.value).toBe('10.0.091');
		expect(editText(t, 'u', {ctrl: true})).toEqual({value: '1', cursor: 0});
		expect(editText(t, '', {return: true})).toBeUndefined();
		expect(editText(t, 'x', {ctrl: true})).toBeUndefined();
	});

	test('several Backspaces in one read delete as many characters (ink passes them as text)', () => {
		expect(editText({value: '1.371.37', cursor: 8}, '\u007f\u007f\u007f\u007f', {})).toEqual({value: '1.37', cursor: 4});
		expect(editText({value: 'ab', cursor: 2}, '\b\b\b', {})).toEqual({value: '', cursor: 0});
	});
});
