// Side-by-side figure: the npm package node-fpgrowth (TypeScript FP-Growth,
// alexisfacques) on the same basket file, items de-duplicated per basket.
//   npm install node-fpgrowth@1.2.1 (in any folder) && NODE_PATH=that/node_modules \
//   node bench/rules/node_fpgrowth.js FILE SUPPORT...
const fs = require('fs');
const { FPGrowth } = require('node-fpgrowth');
const [file, ...supports] = process.argv.slice(2);
const baskets = fs.readFileSync(file, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l)
  .map(l => [...new Set(l.replace(/\r$/, '').split(',').filter(x => x.length))]);
(async () => {
  for (const s of supports.length ? supports.map(Number) : [0.01, 0.005]) {
    const t = process.hrtime.bigint();
    const sets = await new FPGrowth(s).exec(baskets);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const byLen = [];
    for (const x of sets) byLen[x.items.length] = (byLen[x.items.length] || 0) + 1;
    console.log(`node-fpgrowth support ${s}: ${sets.length} itemsets (${byLen.slice(1).join('/')}) in ${(ms / 1000).toFixed(3)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  }
})();
