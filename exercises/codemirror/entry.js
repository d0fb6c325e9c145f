// The exercise editor's CodeMirror 6, as one script: window.CodeMirror = {EditorView, basicSetup, ...}.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";

window.CodeMirror = { EditorView, EditorState, Compartment, keymap, basicSetup, indentWithTab, python };
