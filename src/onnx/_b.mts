import { benchOnnxExport } from '../../bench/onnxExport';
const r = await benchOnnxExport() as any;
console.log(JSON.stringify(r.table.rows)); console.log(JSON.stringify(r.targets));
