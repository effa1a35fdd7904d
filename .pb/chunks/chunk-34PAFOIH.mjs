import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/remote/shell-quote.ts
function shellQuote(argument) {
  if (argument.includes("\0")) {
    throw new Error("a shell argument cannot contain a NUL byte");
  }
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(argument)) {
    return argument;
  }
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

export {
  shellQuote
};
