import React from 'react';
import {expect, test} from 'vitest';
import {recordedRun} from './helpers.js';

// chalk (ink's) decides its colour level when first imported, so force colours before
// importing ink: then only our ColorProvider can take them away (NO_COLOR).
test('NO_COLOR removes every colour escape; without it the grid is coloured', async () => {
	process.env['FORCE_COLOR'] = '1';
	const {render} = await import('ink-testing-library');
	const {Grid} = await import('../../source/ui/grid.js');
	const {ColorProvider, colorsEnabled} = await import('../../source/ui/theme.js');
	const {reduceGridAll} = await import('../../source/ui/grid-state.js');
	const {initialGridView} = await import('../../source/ui/grid-keys.js');
	const state = reduceGridAll(recordedRun({failAt: {node: 'master2', step: 'binaries'}}));
	const frameWith = (env: NodeJS.ProcessEnv) => {
		const ui = render(
			<ColorProvider colors={colorsEnabled(env)}>
				<Grid state={state} view={initialGridView} columns={80} elapsedMs={0} spinnerFrame={0} profileName="p" />
			</ColorProvider>,
		);
		const frame = ui.lastFrame() ?? '';
		ui.unmount();
		return frame;
	};
	const colour = /\u001B\[(3[0-7]|9[0-7]|38;|7m)/;
	expect(frameWith({})).toMatch(colour);
	const plain = frameWith({NO_COLOR: '1'});
	expect(plain).not.toMatch(colour);
	expect(plain).toContain('✗');
	expect(colorsEnabled({NO_COLOR: ''})).toBe(true);
});
