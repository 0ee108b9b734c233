/**
 * The Monaco editor for an exercise. This module is large (Monaco and its TypeScript
 * worker) and is only ever loaded through a dynamic import, when the learner reaches an
 * exercise. Monaco's CSS is imported by its own modules, so it arrives with this chunk
 * and never blocks the lesson's first paint.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
// The editor features an exercise needs, not all of Monaco's: editing, find, folding, the
// TypeScript service's completions, hover, parameter hints, quick fixes, rename and go to
// definition, the diff editor (Compare with solution), the read-only notice, Ctrl+M to
// let Tab move focus, and the iPad keyboard. Features left out (sticky scroll, colour
// pickers, code lenses, inlay hints, link detection, drag and drop…) are not set up in the
// idle time after the editor appears, while a simulation on the same page may be playing.
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codeAction/register';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/diffEditor/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/format/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/gotoLine/register';
import 'monaco-editor/features/gotoSymbol/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/iPadShowKeyboard/register';
import 'monaco-editor/features/lineSelection/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/parameterHints/register';
import 'monaco-editor/features/placeholderText/register';
import 'monaco-editor/features/quickCommand/register';
import 'monaco-editor/features/readOnlyMessage/register';
import 'monaco-editor/features/rename/register';
import 'monaco-editor/features/smartSelect/register';
import 'monaco-editor/features/snippet/register';
import 'monaco-editor/features/suggest/register';
// The completion list itself (register.all brings it in through inline completions).
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/features/toggleTabFocusMode/register';
import 'monaco-editor/features/tokenization/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
// Services the diff editor's inner editors ask for, which the trimmed feature set above
// does not register by itself (without them, opening a comparison throws).
import 'monaco-editor/editor/contrib/codelens/browser/codeLensCache';
import 'monaco-editor/editor/contrib/documentSymbols/browser/outlineModel';
import 'monaco-editor/editor/common/services/treeViewsDndService';
import 'monaco-editor/languages/definitions/typescript/register';
import {
  typescriptDefaults,
  getTypeScriptWorker,
  ModuleKind,
  ScriptTarget,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import vitestTypes from './editor-types/vitest.d.ts.txt?raw';
import type { DiffLayout, EditorFile, EditorMarker, ExerciseEditor } from './editor-api.ts';
import { LIBRARIES, type LibraryName } from '../../grader/libraries.ts';

(globalThis as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: (_id, label) => (label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker()),
};

/** The simulator's sources, so that `import … from '@faultlines/sim'` resolves with its docs. */
const simSources = import.meta.glob<string>('/src/sim/**/*.ts', { query: '?raw', import: 'default', eager: true });

/**
 * The type declarations of the libraries the course provides (see src/grader/libraries.ts),
 * by library, each file loaded on demand: the editor fetches and adds them once an exercise
 * that offers the library opens, so other exercises do not download them.
 */
const libraryTypes: Record<LibraryName, Record<string, () => Promise<string>>> = {
  'hdr-histogram-js': import.meta.glob<string>(['/node_modules/hdr-histogram-js/dist/**/*.d.ts', '!**/*.spec.d.ts'], { query: '?raw', import: 'default' }),
};
const librariesAdded = new Set<LibraryName>();
const modulePaths: Record<string, string[]> = { '@faultlines/sim': ['file:///sim/index.ts'] };

let languageReady = false;

/**
 * The reference solution in a comparison is coloured like TypeScript but is not a file of
 * the TypeScript service: as a second copy of the exercise's files it would not resolve
 * its imports, and the service would report errors about a file the learner cannot edit.
 */
const REFERENCE_LANGUAGE = 'faultlines-reference-ts';
monaco.languages.register({ id: REFERENCE_LANGUAGE });
monaco.languages.onLanguage(REFERENCE_LANGUAGE, () => {
  void import('monaco-editor/languages/definitions/typescript/typescript').then((ts) => {
    monaco.languages.setMonarchTokensProvider(REFERENCE_LANGUAGE, ts.language);
    monaco.languages.setLanguageConfiguration(REFERENCE_LANGUAGE, ts.conf);
  });
});

/** Below this width a comparison is drawn inline (one column), above it side by side. */
export const SIDE_BY_SIDE_MIN_WIDTH_PX = 620;

/**
 * Monaco's dark theme draws comments in a green that falls just short of WCAG AA contrast
 * (about 4.2:1) on its background; this theme lifts it. The light theme passes as it is.
 */
monaco.editor.defineTheme('faultlines-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [{ token: 'comment', foreground: '8DBF7A' }],
  colors: {},
});
const themeName = (theme: 'light' | 'dark'): string => (theme === 'dark' ? 'faultlines-dark' : 'vs');

/** Sets up the TypeScript service once per page: compiler options and the shared libraries. */
function setUpLanguage(): void {
  if (languageReady) return;
  languageReady = true;
  typescriptDefaults.setCompilerOptions({
    target: ScriptTarget.ES2020,
    module: ModuleKind.ESNext,
    // 100 is TypeScript's "bundler" resolution, which allows `./file.ts` imports.
    moduleResolution: 100 as never,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    baseUrl: 'file:///',
    paths: modulePaths,
  });
  typescriptDefaults.setEagerModelSync(true);
  typescriptDefaults.addExtraLib(vitestTypes, 'file:///types/vitest.d.ts');
  for (const [path, source] of Object.entries(simSources)) {
    typescriptDefaults.addExtraLib(source, `file:///sim/${path.replace('/src/sim/', '')}`);
  }
}

/**
 * Adds the declarations of `libraries` not added yet, and maps their names to them. Until
 * they arrive (a moment after the editor opens), the editor may mark an import of the
 * library as not found.
 */
async function addLibraryTypes(libraries: readonly LibraryName[]): Promise<void> {
  const fresh = libraries.filter((name) => !librariesAdded.has(name));
  if (fresh.length === 0) return;
  for (const name of fresh) librariesAdded.add(name);
  for (const name of fresh) {
    const files = await Promise.all(Object.entries(libraryTypes[name]).map(async ([path, load]) => [path, await load()] as const));
    for (const [path, source] of files) typescriptDefaults.addExtraLib(source, `file://${path}`);
    modulePaths[name] = [`file:///node_modules/${name}/${LIBRARIES[name].types}`];
  }
  typescriptDefaults.setCompilerOptions({ ...typescriptDefaults.getCompilerOptions(), paths: { ...modulePaths } });
}

function uriFor(exerciseId: string, path: string): monaco.Uri {
  return monaco.Uri.parse(`file:///${normalise(`exercises/${exerciseId}/${path}`)}`);
}

/** Resolves `.` and `..` segments, so that `exercises/router/../ring/ring.ts` names the ring's file. */
function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

export function createMonacoEditor(
  container: HTMLElement,
  exerciseId: string,
  files: readonly EditorFile[],
  theme: 'light' | 'dark',
  /**
   * Files the exercise's code imports but the learner does not edit here: the earlier
   * exercises' files (`../sharding-ring/ring.ts`). They join the TypeScript service, unseen.
   */
  context: readonly { readonly path: string; readonly text: string }[] = [],
  /** The published libraries the exercise offers: their types join the service. */
  libraries: readonly LibraryName[] = [],
): ExerciseEditor {
  setUpLanguage();
  addLibraryTypes(libraries).catch((error: unknown) => console.warn(`The editor could not load the types of ${libraries.join(', ')}:`, error));
  const contextLibs: monaco.IDisposable[] = [];
  for (const file of context) {
    const uri = uriFor(exerciseId, file.path);
    // A file open in an editor on this page already speaks for itself.
    if (!monaco.editor.getModel(uri)) contextLibs.push(typescriptDefaults.addExtraLib(file.text, uri.toString()));
  }
  const models = new Map<string, monaco.editor.ITextModel>();
  for (const file of files) {
    const uri = uriFor(exerciseId, file.path);
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(file.text, 'typescript', uri);
    model.setValue(file.text);
    models.set(file.path, model);
  }
  const readOnly = new Set(files.filter((f) => f.readOnly).map((f) => f.path));
  const editorHost = document.createElement('div');
  editorHost.className = 'monaco-host';
  container.append(editorHost);
  const first = files[0]!;
  const editor = monaco.editor.create(editorHost, {
    model: models.get(first.path)!,
    readOnly: readOnly.has(first.path),
    theme: themeName(theme),
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    scrollBeyondLastLine: false,
    tabSize: 2,
    ariaLabel: `${first.path}, code editor`,
    accessibilitySupport: 'auto',
    // Tab moves focus out of the editor after Ctrl+M, which Monaco announces to screen readers.
    tabFocusMode: false,
    fixedOverflowWidgets: true,
    // The default dims the number of the empty last line below WCAG contrast.
    renderFinalNewline: 'on',
  });
  let diff: monaco.editor.IStandaloneDiffEditor | undefined;
  let diffHost: HTMLElement | undefined;
  let diffModels: monaco.editor.ITextModel[] = [];
  const closeDiff = () => {
    diff?.dispose();
    diff = undefined;
    for (const model of diffModels) model.dispose();
    diffModels = [];
    diffHost?.remove();
    diffHost = undefined;
  };
  let current = first.path;
  const changeListeners: ((path: string) => void)[] = [];
  for (const [path, model] of models) {
    model.onDidChangeContent(() => changeListeners.forEach((l) => l(path)));
  }

  const api: ExerciseEditor = {
    kind: 'monaco',
    getValue: (path) => models.get(path)?.getValue() ?? '',
    setValue(path, text) {
      const model = models.get(path);
      if (model && model.getValue() !== text) {
        // pushEditOperations keeps the change undoable with Ctrl+Z.
        model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
      }
    },
    show(path, line, column) {
      const model = models.get(path);
      if (!model) return;
      if (current !== path) {
        editor.setModel(model);
        editor.updateOptions({ readOnly: readOnly.has(path), ariaLabel: `${path}, code editor${readOnly.has(path) ? ', read-only' : ''}` });
        current = path;
      }
      if (line) {
        editor.revealLineInCenter(line);
        editor.setPosition({ lineNumber: line, column: column ?? 1 });
        editor.focus();
      }
    },
    onChange: (listener) => void changeListeners.push(listener),
    onRunShortcut(listener) {
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener);
    },
    setMarkers(path, markers) {
      const model = models.get(path);
      if (!model) return;
      monaco.editor.setModelMarkers(
        model,
        'faultlines',
        markers.map((m) => ({
          startLineNumber: m.line,
          startColumn: m.column,
          endLineNumber: m.line,
          endColumn: model.getLineMaxColumn(Math.min(m.line, model.getLineCount())),
          message: m.message,
          severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        })),
      );
    },
    async diagnostics(paths) {
      const getWorker = await getTypeScriptWorker();
      const out: EditorMarker[] = [];
      for (const path of paths) {
        const model = models.get(path);
        if (!model) continue;
        const worker = await getWorker(model.uri);
        const uri = model.uri.toString();
        const found = [...(await worker.getSyntacticDiagnostics(uri)), ...(await worker.getSemanticDiagnostics(uri))];
        for (const d of found) {
          const position = model.getPositionAt(d.start ?? 0);
          const text = typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText;
          out.push({ path, line: position.lineNumber, column: position.column, message: text, severity: 'error' });
        }
      }
      return out;
    },
    showDiff(path, other) {
      closeDiff();
      if (!path || other === undefined) {
        editorHost.hidden = false;
        return undefined;
      }
      const model = models.get(path);
      if (!model) return undefined;
      const layout: DiffLayout = container.clientWidth >= SIDE_BY_SIDE_MIN_WIDTH_PX ? 'side-by-side' : 'inline';
      diffHost = document.createElement('div');
      diffHost.className = `monaco-diff ${layout}`;
      diffHost.dataset.layout = layout;
      const labels = document.createElement('div');
      labels.className = 'diff-labels';
      const label = (text: string, side: string) => {
        const span = document.createElement('span');
        span.className = `diff-label ${side}`;
        span.textContent = text;
        return span;
      };
      if (layout === 'side-by-side') {
        labels.append(label(`Your code: ${path}`, 'mine'), label(`Reference: ${path}`, 'reference'));
      } else {
        labels.append(label(`Your ${path} against the reference, in one column: lines only in your code are marked −, lines only in the reference +.`, 'inline'));
      }
      const diffEditorHost = document.createElement('div');
      diffEditorHost.className = 'monaco-host';
      diffHost.append(labels, diffEditorHost);
      container.append(diffHost);
      editorHost.hidden = true;
      diff = monaco.editor.createDiffEditor(diffEditorHost, {
        automaticLayout: true,
        readOnly: true,
        originalEditable: false,
        // The panel decides the layout (and labels it); Monaco's own width rule would
        // otherwise switch to one column below 900 px without saying so.
        renderSideBySide: layout === 'side-by-side',
        useInlineViewWhenSpaceIsLimited: false,
        minimap: { enabled: false },
        originalAriaLabel: `Your code, ${path}, read-only while comparing`,
        modifiedAriaLabel: `Reference solution, ${path}, read-only`,
      });
      // The learner's own model on the left (no copy to keep in sync or to type-check twice).
      diffModels = [monaco.editor.createModel(other, REFERENCE_LANGUAGE)];
      diff.setModel({ original: model, modified: diffModels[0]! });
      return layout;
    },
    setTheme(next) {
      monaco.editor.setTheme(themeName(next));
    },
    focus: () => editor.focus(),
    dispose() {
      closeDiff();
      editor.dispose();
      for (const model of models.values()) model.dispose();
      for (const lib of contextLibs) lib.dispose();
    },
  };
  return api;
}
