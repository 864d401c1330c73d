// Reads an ESC/POS byte file with the npm package npos (an interpreter we did not write) and
// prints JSON: the command sequence, every text run decoded as GB18030, QR payloads stored with
// GS ( k, raster images (GS v 0) and the number of cuts.
// Usage: node parse.js FILE
'use strict';

const fs = require('fs');
const npos = require('npos');
const iconv = require('iconv-lite');

// npos' rule table lacks GS ( k (2D codes); its documented extension point adds it:
// pL pH and then pL + pH * 256 bytes ('d16' splitter). npos.parser() without arguments uses a
// copy normalised at load time, so the extended table is passed in explicitly below.
npos.rules[npos.symbols.GS]['(k'] = [0, 'd16'];

function describe(raw, node) {
  const name = (node.ascii || '') + (node.fn || '');
  const start = node.offset + 1 + (node.fn || '').length;
  return { name, params: raw.slice(start, node.offset + node.length) };
}

function bitmapRows(bitmap) {
  // npos' raster codec decodes GS v 0 into a bitmap: dark dots are 0x00.
  const rows = [];
  for (let y = 0; y < bitmap.getHeight(); y++) {
    let row = '';
    for (let x = 0; x < bitmap.getWidth(); x++) row += bitmap.getPixel(x, y) === 0 ? '1' : '0';
    rows.push(row);
  }
  return rows;
}

function main() {
  const raw = fs.readFileSync(process.argv[2]);
  const parser = npos.parser(npos.rules);
  const ast = parser.analyze(raw);
  if (ast.error) {
    process.stdout.write(JSON.stringify({ error: ast.error.message }) + '\n');
    process.exitCode = 1;
    return;
  }
  const out = { commands: [], texts: [], qr: [], rasters: [], cuts: 0, replacement: false };
  for (const node of ast.tree) {
    if (node.ascii === 'STX') {
      const text = iconv.decode(raw.slice(node.offset, node.offset + node.length), 'gb18030');
      out.texts.push(text);
      out.replacement = out.replacement || text.includes('\ufffd');
      out.commands.push({ name: 'TEXT', text });
      continue;
    }
    const { name, params } = describe(raw, node);
    out.commands.push({ name, params: params.toString('hex') });
    if (name === 'GS(k') {
      const body = params.slice(2, 2 + params.readUInt16LE(0)); // cn fn [m] data
      if (body[0] === 0x31 && body[1] === 80) out.qr.push(body.slice(3).toString('utf8'));
    } else if (name === 'GSV') {
      out.cuts += 1;
    }
  }
  // parse() runs npos' codecs over the same tree (it rewrites raster nodes, so it comes last).
  parser.parse(ast).then((decoded) => {
    for (const entry of decoded.entries) {
      if (entry.type === 'raster') out.rasters.push(bitmapRows(entry.data));
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }, (err) => {
    process.stdout.write(JSON.stringify({ error: String((err && err.message) || err) }) + '\n');
    process.exitCode = 1;
  });
}

main();
