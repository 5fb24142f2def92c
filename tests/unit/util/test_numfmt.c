/* Canonical float text: fixed cases, and a cross-check against node (V8's Number#toString for
 * doubles; round-trip + rendering + minimality checks for float and half) on random values. */
#include <math.h>
#include <stdint.h>

#include "test.h"
#include "util/numfmt.h"

static const char *d(double v)
{
	static char out[8][HFDS_NUMFMT_MAX];
	static int slot;
	char *o = out[slot++ & 7];
	hfds_fmt_double(v, o);
	return o;
}

static const char *f(float v)
{
	static char out[8][HFDS_NUMFMT_MAX];
	static int slot;
	char *o = out[slot++ & 7];
	hfds_fmt_float(v, o);
	return o;
}

static const char *h(uint16_t bits)
{
	static char out[8][HFDS_NUMFMT_MAX];
	static int slot;
	char *o = out[slot++ & 7];
	hfds_fmt_half(bits, o);
	return o;
}

static void test_double_cases(void)
{
	CHECK_EQ_STR(d(0.1), "0.1");
	CHECK_EQ_STR(d(1), "1");
	CHECK_EQ_STR(d(-1.5), "-1.5");
	CHECK_EQ_STR(d(0.0), "0");
	CHECK_EQ_STR(d(-0.0), "-0");
	CHECK_EQ_STR(d(1e21), "1e+21");
	CHECK_EQ_STR(d(1e20), "100000000000000000000");
	CHECK_EQ_STR(d(123456789012345680000.0), "123456789012345680000");
	CHECK_EQ_STR(d(1e-7), "1e-7");
	CHECK_EQ_STR(d(1.5e-7), "1.5e-7");
	CHECK_EQ_STR(d(0.000001), "0.000001");
	CHECK_EQ_STR(d(0.1 + 0.2), "0.30000000000000004");
	CHECK_EQ_STR(d(5e-324), "5e-324");
	CHECK_EQ_STR(d(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_EQ_STR(d(9007199254740993.0), "9007199254740992");
	CHECK_EQ_STR(d(2.5e-5), "0.000025");
	CHECK_EQ_STR(d(12345.678), "12345.678");
	CHECK_EQ_STR(d(NAN), "NaN");
	CHECK_EQ_STR(d(INFINITY), "Infinity");
	CHECK_EQ_STR(d(-INFINITY), "-Infinity");
	/* 2^-1074 * k near a power of two: the shorter candidate lies on the wide side */
	CHECK_EQ_STR(d(9.5367431640625e-7), "9.5367431640625e-7");
	CHECK_EQ_STR(d(0x1p-1022), "2.2250738585072014e-308");
}

static void test_float_cases(void)
{
	CHECK_EQ_STR(f(0.1f), "0.1");
	CHECK_EQ_STR(f(1.1f), "1.1");
	CHECK_EQ_STR(f(-0.0f), "-0");
	CHECK_EQ_STR(f(16777216.0f), "16777216");
	CHECK_EQ_STR(f(3.4028234663852886e38f), "3.4028235e+38");
	CHECK_EQ_STR(f(1.401298464324817e-45f), "1e-45");
	CHECK_EQ_STR(f(1e-7f), "1e-7");
	CHECK_EQ_STR(f(123456.789f), "123456.79");
	CHECK_EQ_STR(f(1e21f), "1e+21");
	CHECK_EQ_STR(f(0x1p-126f), "1.1754944e-38");
	CHECK_EQ_STR(f(NAN), "NaN");
	CHECK_EQ_STR(f(-INFINITY), "-Infinity");
}

static void test_half_cases(void)
{
	CHECK_EQ_STR(h(0x3c00), "1");
	CHECK_EQ_STR(h(0x7bff), "65500"); /* 65504: 65500 is nearer to it than to 65472 */
	CHECK_EQ_STR(h(0x0001), "6e-8");
	CHECK_EQ_STR(h(0x3555), "0.3333");
	CHECK_EQ_STR(h(0x2e66), "0.1");
	CHECK_EQ_STR(h(0x8000), "-0");
	CHECK_EQ_STR(h(0xc000), "-2");
	CHECK_EQ_STR(h(0x7c00), "Infinity");
	CHECK_EQ_STR(h(0xfc00), "-Infinity");
	CHECK_EQ_STR(h(0x7e00), "NaN");
	CHECK_EQ_STR(h(0x6800), "2048");
	CHECK_EQ_INT(hfds_double_to_half(65504.0), 0x7bff);
	CHECK_EQ_INT(hfds_double_to_half(65519.99), 0x7bff);
	CHECK_EQ_INT(hfds_double_to_half(65520.0), 0x7c00);
	CHECK_EQ_INT(hfds_double_to_half(0x1p-25), 0x0000); /* tie to even */
	CHECK_EQ_INT(hfds_double_to_half(0x1.8p-24), 0x0002);
	CHECK_EQ_INT(hfds_double_to_half(1.0 + 0x1p-11), 0x3c00); /* tie to even */
	CHECK_EQ_INT(hfds_double_to_half(1.0 + 0x1.8p-10), 0x3c02); /* tie to even */
	CHECK_EQ_INT(hfds_double_to_half(-0.0), 0x8000);
	for (uint32_t b = 0; b < 0x10000; b++) {
		double v = hfds_half_to_double((uint16_t)b);
		if (isnan(v))
			continue;
		if (hfds_double_to_half(v) != b) {
			CHECK_EQ_INT(hfds_double_to_half(v), b);
			break;
		}
	}
}

static void test_ints(void)
{
	char out[HFDS_NUMFMT_MAX];
	CHECK_EQ_INT(hfds_fmt_int64(INT64_MIN, out), 20);
	CHECK_EQ_STR(out, "-9223372036854775808");
	hfds_fmt_int64(0, out);
	CHECK_EQ_STR(out, "0");
	hfds_fmt_int64(-42, out);
	CHECK_EQ_STR(out, "-42");
	hfds_fmt_uint64(UINT64_MAX, out);
	CHECK_EQ_STR(out, "18446744073709551615");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char *JS =
	"const fs=require('fs');let bad=0,n=0;\n"
	"const toHalf=x=>{if(!isFinite(x))return x;const a=Math.abs(x),s=(x<0||Object.is(x,-0))?-1:1;"
	"if(a>=65520)return s*Infinity;const r=q=>{const f=Math.floor(q),d=q-f;return d>0.5||(d===0.5&&f%2)?f+1:f};"
	"if(a<2**-14)return s*r(a/2**-24)*2**-24;let e=Math.floor(Math.log2(a));while(2**e>a)e--;while(2**(e+1)<=a)e++;"
	"const u=2**(e-10);return s*r(a/u)*u};\n"
	"const rounders={d:x=>x,f:Math.fround,h:toHalf};\n"
	"const view=new DataView(new ArrayBuffer(8));\n"
	"for(const line of fs.readFileSync(process.argv[2],'utf8').split('\\n')){if(!line)continue;n++;\n"
	" const [w,hex,text]=line.split(' ');let v;\n"
	" if(w==='d'){view.setBigUint64(0,BigInt('0x'+hex));v=view.getFloat64(0)}\n"
	" else if(w==='f'){view.setUint32(0,parseInt(hex,16));v=view.getFloat32(0)}\n"
	" else{const b=parseInt(hex,16),e=(b>>10)&31,m=b&1023,s=b&0x8000?-1:1;v=e===0?s*m*2**-24:e===31?(m?NaN:s*Infinity):s*(1024+m)*2**(e-25)}\n"
	" let want;\n"
	" if(w==='d'){want=Object.is(v,-0)?'-0':String(v)}\n"
	" else{const R=rounders[w];const num=Number(text);\n"
	"  const ok=Object.is(R(num),v)&&(String(num)===text||(text==='-0'));\n"
	"  const digits=text.replace(/^-/,'').replace(/e.*$/,'').replace('.','').replace(/^0+/,'').replace(/0+$/,'').length;\n"
	"  let shorter=false;\n"
	"  if(digits>1&&v!==0){const m=/^(-?)(\\d)(?:\\.(\\d+))?e([+-]\\d+)$/.exec(v.toExponential(digits-2));\n"
	"   if(!m){bad++;console.log('toExponential '+line+' '+v.toExponential(digits-2));continue}\n"
	"   const mant=BigInt(m[2]+(m[3]||'')),ex=Number(m[4])-(digits-2);\n"
	"   for(const c of [mant-1n,mant,mant+1n]) if(c>0n&&Object.is(R(Number(m[1]+c+'e'+ex)),v)) shorter=true;}\n"
	"  want=ok&&!shorter?text:'(not shortest or not round-trip)'}\n"
	" if(want!==text){bad++;if(bad<10)console.log('mismatch '+line+' js='+want)}}\n"
	"console.log('checked '+n+' bad '+bad);process.exitCode=bad?1:0;\n";

static void test_cross_check_node(void)
{
	char path[4200], script[4200], cmd[9000];
	snprintf(path, sizeof(path), "%s/numfmt-values.txt", test_tmpdir());
	snprintf(script, sizeof(script), "%s/numfmt-check.cjs", test_tmpdir());
	FILE *js = fopen(script, "w");
	REQUIRE(js != NULL);
	fputs(JS, js);
	fclose(js);
	FILE *out = fopen(path, "w");
	REQUIRE(out != NULL);
	char text[HFDS_NUMFMT_MAX];
	int count = 0;
	for (int i = 0; i < 6000; i++) {
		double v;
		uint64_t bits = rng();
		if (i % 3 == 0) { /* short decimals, the common case in data */
			v = (double)(int64_t)(rng() % 2000001 - 1000000) / pow(10, (double)(rng() % 12));
			memcpy(&bits, &v, 8);
		} else if (i % 3 == 1) { /* moderate exponents, around the plain/exponent switch */
			bits = (bits & 0x800fffffffffffffull) | ((uint64_t)(1023 - 40 + rng() % 120) << 52);
		}
		memcpy(&v, &bits, 8);
		if (!isfinite(v))
			continue;
		hfds_fmt_double(v, text);
		fprintf(out, "d %016llx %s\n", (unsigned long long)bits, text);
		count++;
	}
	for (int i = 0; i < 6000; i++) {
		uint32_t bits = (uint32_t)rng();
		float v;
		if (i % 2 == 0) {
			v = (float)((double)(int32_t)(rng() % 200001 - 100000) / pow(10, (double)(rng() % 9)));
			memcpy(&bits, &v, 4);
		}
		memcpy(&v, &bits, 4);
		if (!isfinite(v))
			continue;
		hfds_fmt_float(v, text);
		fprintf(out, "f %08x %s\n", bits, text);
		count++;
	}
	for (uint32_t b = 0; b < 0x10000; b++) {
		double v = hfds_half_to_double((uint16_t)b);
		if (!isfinite(v))
			continue;
		hfds_fmt_half((uint16_t)b, text);
		fprintf(out, "h %04x %s\n", b, text);
		count++;
	}
	fclose(out);
	snprintf(cmd, sizeof(cmd), "node '%s' '%s' 2>&1", script, path);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != NULL);
	char line[512], last[512] = "";
	while (fgets(line, sizeof(line), p)) {
		fputs(line, stderr);
		memcpy(last, line, sizeof(last));
	}
	int status = pclose(p);
	CHECK_EQ_INT(status, 0);
	char want[64];
	snprintf(want, sizeof(want), "checked %d bad 0\n", count);
	CHECK_EQ_STR(last, want);
}

int main(void)
{
	RUN(test_double_cases);
	RUN(test_float_cases);
	RUN(test_half_cases);
	RUN(test_ints);
	RUN(test_cross_check_node);
	TEST_END();
}
