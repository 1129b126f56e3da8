// Draws the add-in's ribbon and store icons (assets/*.png) in every size the manifest declares:
// 16, 32 and 80 px for ribbon buttons, 64 px (IconUrl) and 128 px (HighResolutionIconUrl).
// Run `npm run icons` after changing a design; the PNGs are committed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { PNG } from 'pngjs';

type Rgba = readonly [number, number, number, number];
/** A shape answers "is this point (in 0..1 units) inked, and with which colour?". */
type Shape = (x: number, y: number) => Rgba | null;

const BRAND: Rgba = [15, 108, 189, 255]; // Fluent brand blue
const TEAL: Rgba = [3, 120, 112, 255];
const WHITE: Rgba = [255, 255, 255, 255];

const roundedSquare = (x: number, y: number, inset: number, radius: number): boolean => {
  const lo = inset + radius;
  const hi = 1 - inset - radius;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset;
};

const ring = (x: number, y: number, r: number, w: number, gapFrom: number, gapTo: number): boolean => {
  const d = Math.hypot(x - 0.5, y - 0.5);
  if (Math.abs(d - r) > w / 2) return false;
  const a = (Math.atan2(y - 0.5, x - 0.5) + 2 * Math.PI) % (2 * Math.PI);
  return !(a >= gapFrom && a <= gapTo);
};

const triangle = (x: number, y: number, p: readonly [number, number][]): boolean => {
  const [a, b, c] = p as [[number, number], [number, number], [number, number]];
  const s = (p1: [number, number], p2: [number, number]) =>
    (x - p2[0]) * (p1[1] - p2[1]) - (p1[0] - p2[0]) * (y - p2[1]);
  const d1 = s(a, b);
  const d2 = s(b, c);
  const d3 = s(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** The main icon: a calendar page with a header bar and a grid of days. */
const calendarIcon: Shape = (x, y) => {
  if (!roundedSquare(x, y, 0.04, 0.16)) return null;
  const inPage = x > 0.2 && x < 0.8 && y > 0.26 && y < 0.8;
  if (!inPage) return BRAND;
  if (y < 0.4) return WHITE;
  const col = Math.floor((x - 0.2) / 0.15);
  const row = Math.floor((y - 0.4) / 0.1333);
  const fx = (x - 0.2 - col * 0.15) / 0.15;
  const fy = (y - 0.4 - row * 0.1333) / 0.1333;
  return fx > 0.18 && fx < 0.82 && fy > 0.18 && fy < 0.82 ? WHITE : BRAND;
};

/** SAP CRM pane: a building (business partner) on teal. */
const crmIcon: Shape = (x, y) => {
  if (!roundedSquare(x, y, 0.04, 0.16)) return null;
  const inBuilding = x > 0.28 && x < 0.72 && y > 0.2 && y < 0.82;
  if (!inBuilding) return TEAL;
  const wx = (x - 0.28) / 0.11;
  const wy = (y - 0.26) / 0.12;
  const window = y < 0.7 && Math.floor(wx) % 2 === 1 && Math.floor(wy) % 2 === 0 && wx < 3.5;
  return window ? TEAL : WHITE;
};

/** Sync now: two arrows chasing each other around a circle. */
const syncIcon: Shape = (x, y) => {
  if (!roundedSquare(x, y, 0.04, 0.16)) return null;
  const arc = ring(x, y, 0.27, 0.1, 0.35, 1.2) && ring(x, y, 0.27, 0.1, 3.5, 4.35);
  const head1 = triangle(x, y, [
    [0.62, 0.2],
    [0.86, 0.36],
    [0.6, 0.44],
  ]);
  const head2 = triangle(x, y, [
    [0.38, 0.8],
    [0.14, 0.64],
    [0.4, 0.56],
  ]);
  return arc || head1 || head2 ? WHITE : BRAND;
};

function render(shape: Shape, size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const ss = 4; // supersampling for anti-aliased edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shape((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (c) {
            r += c[0] * c[3];
            g += c[1] * c[3];
            b += c[2] * c[3];
            a += c[3];
          }
        }
      }
      const i = (py * size + px) * 4;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round(a / (ss * ss));
    }
  }
  return PNG.sync.write(png);
}

mkdirSync('assets', { recursive: true });
const sets: [string, Shape, number[]][] = [
  ['icon', calendarIcon, [16, 32, 64, 80, 128]],
  ['crm', crmIcon, [16, 32, 80]],
  ['sync', syncIcon, [16, 32, 80]],
];
for (const [name, shape, sizes] of sets) {
  for (const size of sizes) writeFileSync(`assets/${name}-${size}.png`, render(shape, size));
}
console.log('icons written to assets/');
