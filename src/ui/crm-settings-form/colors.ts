import { webLightTheme } from '@fluentui/tokens';

/**
 * The conflict colours the settings offer: colours of Fluent 2's palette (each colour's primary, as
 * Fluent's light theme has it: `colorPalette<Name>BorderActive`), plus Fluent's brand blue. The
 * defaults (cranberry for Outlook, brand blue for the CRM) are among them; a colour set otherwise (an
 * administrator's default, an older profile) is offered as it is.
 */
export const CONFLICT_COLORS = [
  'Cranberry',
  'Red',
  'DarkRed',
  'DarkOrange',
  'Marigold',
  'Green',
  'DarkGreen',
  'Teal',
  'Brand',
  'Blue',
  'RoyalBlue',
  'Navy',
  'Purple',
  'Berry',
  'Magenta',
  'Platinum',
] as const;
export type ConflictColorName = (typeof CONFLICT_COLORS)[number];

const theme = webLightTheme as unknown as Record<string, string>;

/** The colour's value (`#rrggbb`, lower case, as the profile keeps it). */
export const colorValue = (name: ConflictColorName): string =>
  (name === 'Brand' ? theme.colorBrandBackground! : theme[`colorPalette${name}BorderActive`]!).toLowerCase();
