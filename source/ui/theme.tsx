import React, {createContext, useContext, type ReactNode} from 'react';
import {Text} from 'ink';

/**
 * Colours are decided here, not by chalk: chalk 5 (ink's) does not read NO_COLOR,
 * so every coloured Text goes through <Tone>, which drops colour when NO_COLOR is
 * set (https://no-color.org: any non-empty value).
 */
export function colorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	return !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
}

const ColorContext = createContext<boolean>(colorsEnabled());

export function ColorProvider({colors, children}: {colors: boolean; children: ReactNode}) {
	return <ColorContext.Provider value={colors}>{children}</ColorContext.Provider>;
}

export function useColors(): boolean {
	return useContext(ColorContext);
}

export type ToneName = 'ok' | 'warn' | 'bad' | 'dim' | 'accent' | 'plain';

const COLOR: Record<ToneName, string | undefined> = {ok: 'green', warn: 'yellow', bad: 'red', dim: 'gray', accent: 'cyan', plain: undefined};

export function Tone({tone = 'plain', bold, inverse, children}: {tone?: ToneName; bold?: boolean; inverse?: boolean; children: ReactNode}) {
	const colors = useColors();
	const color = colors ? COLOR[tone] : undefined;
	return (
		<Text color={color} bold={bold} inverse={colors ? inverse : false}>
			{children}
		</Text>
	);
}
