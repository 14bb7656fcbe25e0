// The VS Code elements the panel uses, loaded after its first paint (deferred.ts). The panel creates
// <vscode-button> and <vscode-toolbar-button> from the start with their icon and label as content;
// they upgrade in place when this bundle defines them, and styles.css draws them until then.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
