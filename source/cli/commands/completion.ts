import {Argument, type Command} from 'commander';

/** `completion bash|zsh`: a completion script made from the program's own commands and options. */
export function registerCompletionCommand(program: Command): void {
	program
		.command('completion')
		.description('Print a shell completion script for bash or zsh, made from the commands and options. bash: `source <(k8s-master-setup completion bash)`; zsh: `source <(k8s-master-setup completion zsh)` after compinit.')
		.addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
		.action(async (shell: 'bash' | 'zsh') => {
			const {completionScript} = await import('./completion-script.js');
			process.stdout.write(completionScript(program, shell));
		});
}
