// Completion scripts generated from the commander program, so a new command or option
// completes without anyone editing a script: bash (complete -F) and zsh (_arguments).
import type {Command, Option} from 'commander';

interface CommandFacts {
	name: string;
	summary: string;
	options: Array<{flags: string[]; summary: string; takesValue: boolean; choices?: readonly string[]}>;
}

function facts(program: Command): CommandFacts[] {
	return program.commands.map((c) => ({
		name: c.name(),
		summary: firstSentence(c.description()),
		options: [...c.options, helpOption].map((o: Option | typeof helpOption) => ({
			flags: [o.long, o.short].filter((f): f is string => Boolean(f)),
			summary: firstSentence(o.description),
			takesValue: o.required || o.optional,
			...(o.argChoices ? {choices: o.argChoices} : {}),
		})),
	}));
}

const helpOption = {long: '--help', short: '-h', description: 'show help', required: false, optional: false, argChoices: undefined};

function firstSentence(text: string): string {
	return text.split(/\.\s|\s\(/)[0]!.trim().slice(0, 70);
}

/** Only what is safe inside a single-quoted shell word and a zsh _arguments spec. */
function plain(text: string): string {
	return text.replace(/[^A-Za-z0-9 ,/+<>=~-]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** One single-quoted shell word; every part of it went through plain() or is a flag or command name. */
function word(text: string): string {
	if (text.includes("'")) throw new Error(`a completion word holds a quote: ${text}`);
	return "'" + text + "'";
}

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
	const name = program.name();
	const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
	const commands = facts(program);
	if (shell === 'bash') {
		const cases = commands
			.map((c) => `\t\t${c.name}) words=${word(c.options.flatMap((o) => o.flags).join(' '))} ;;`)
			.join('\n');
		return `# bash completion for ${name} (generated: ${name} completion bash)
${fn}() {
	local cur="\${COMP_WORDS[COMP_CWORD]}" words
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W ${word([...commands.map((c) => c.name), '--help', '--version'].join(' '))} -- "$cur"))
		return
	fi
	case "\${COMP_WORDS[1]}" in
${cases}
		*) words='' ;;
	esac
	case "$cur" in
		-*) COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
		*) COMPREPLY=() ;;
	esac
}
complete -o default -F ${fn} ${name}
`;
	}
	const described = commands.map((c) => `\t\t${word(`${c.name}:${plain(c.summary)}`)}`).join('\n');
	const cases = commands
		.map((c) => {
			const specs = c.options.map((o) => {
				const long = o.flags.find((f) => f.startsWith('--')) ?? o.flags[0]!;
				const value = o.takesValue ? (o.choices ? `:value:(${o.choices.join(' ')})` : ':value:_files') : '';
				return word(`${long}[${plain(o.summary)}]${value}`);
			});
			return `\t\t${c.name}) _arguments ${specs.join(' ')} ;;`;
		})
		.join('\n');
	return `#compdef ${name}
# zsh completion for ${name} (generated: ${name} completion zsh)
${fn}() {
	local -a commands
	commands=(
${described}
	)
	if (( CURRENT == 2 )); then
		_describe 'command' commands
		return
	fi
	case "$words[2]" in
${cases}
	esac
}
compdef ${fn} ${name}
`;
}
