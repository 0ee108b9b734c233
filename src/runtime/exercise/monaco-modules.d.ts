// Monaco ships no declarations for its basic-language definition files; this is the part
// of the TypeScript one that the editor uses (its Monarch tokenizer and language settings).
declare module 'monaco-editor/languages/definitions/typescript/typescript' {
  import type { languages } from 'monaco-editor/editor/editor.api';
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
