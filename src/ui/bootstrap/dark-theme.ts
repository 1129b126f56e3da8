/** Fluent's dark theme: loaded only when the pane is shown dark (not in the first render's script). */
export { webDarkTheme } from '@fluentui/tokens';
