# Independent review of the snapshot values in tests/Snapshots: recomputes them with mpmath at 40 digits,
# derivatives by numerical differentiation and the denoiser by Tweedie from the differentiated log density.
# Run from the repository root: python3 tools/review-snapshots.py (needs mpmath; not part of CI).
import json, mpmath as mp
mp.mp.dps = 40
def paths():
    bmin, bmax = mp.mpf('0.1'), mp.mpf(20)
    I = lambda t: t*t*(bmax-bmin)/4 + t*bmin/2
    vpa = lambda t: mp.e**(-I(t))
    yield 'vp', vpa, lambda t: mp.sqrt(1-vpa(t)**2)
    yield 'subvp', vpa, lambda t: 1-vpa(t)**2
    smin, smax = mp.mpf('0.01'), mp.mpf(50)
    yield 've', lambda t: mp.mpf(1), lambda t: smin*(smax/smin)**t
    s = mp.mpf('0.008')
    ca = lambda t: mp.cos(mp.pi/2*(t+s)/(1+s))/mp.cos(mp.pi/2*s/(1+s))
    yield 'cosine', ca, lambda t: mp.sqrt(1-ca(t)**2)
    yield 'condot', lambda t: t, lambda t: 1-t
snap = json.load(open('tests/Snapshots/__snapshots__/PathTableSnapshot.PathCoefficients.snap', encoding='utf-8-sig'))
worst = 0
for (name, a, s), entry in zip(paths(), snap):
    assert entry['Path'].startswith(name)
    for row in entry['Rows']:
        t = mp.mpf(str(row['T']))
        ad, sd = mp.diff(a, t), mp.diff(s, t)
        A = s(t)**2*ad/a(t) - sd*s(t); B = ad/a(t)
        g2 = abs(mp.diff(lambda u: s(u)**2, t) - 2*B*s(t)**2)
        ref = dict(Alpha=a(t), Sigma=s(t), AlphaDot=ad, SigmaDot=sd, A=A, B=B, DriftCoefficient=B, Diffusion=mp.sqrt(g2))
        for k, v in ref.items():
            rel = abs(row[k]-v)/max(abs(v), mp.mpf('1e-300'))
            worst = max(worst, rel)
            if rel > 1e-9: print('MISMATCH', name, row['T'], k, row[k], v)
print('path table worst relative difference', mp.nstr(worst, 3))
# eval example: log density direct, score by numerical differentiation, denoiser by Tweedie from that score
ev = json.load(open('tests/Snapshots/__snapshots__/PathTableSnapshot.ContractEvalExample.snap', encoding='utf-8-sig'))
worst = 0
for (name, a, s), entry in zip(paths(), ev):
    t = mp.mpf('0.5'); al, si = a(t), s(t)
    var = al**2*mp.mpf('0.49') + si**2
    def logp(x, y):
        return mp.log(sum(mp.mpf('0.5')*mp.exp(-((x-al*m)**2+y**2)/(2*var))/(2*mp.pi*var) for m in (-2, 2)))
    for p, (x, y) in enumerate([(mp.mpf('0.1'), mp.mpf('-0.3')), (mp.mpf(1), mp.mpf(2))]):
        sc = [mp.diff(lambda u: logp(u, y), x), mp.diff(lambda u: logp(x, u), y)]
        den = [(xx + si**2*ss)/al for xx, ss in zip((x, y), sc)]
        noi = [-si*ss for ss in sc]
        ad, sd = mp.diff(a, t), mp.diff(s, t)
        vel = [ad*d + sd*n for d, n in zip(den, noi)]
        checks = [(entry['LogDensity'][p], logp(x, y))] + list(zip(entry['Score'][p], sc)) + list(zip(entry['Denoiser'][p], den)) + list(zip(entry['Noise'][p], noi)) + list(zip(entry['Velocity'][p], vel))
        for got, want in checks:
            err = abs(got-want)/(abs(want)+mp.mpf('1e-12'))
            worst = max(worst, err)
            if err > 1e-9: print('MISMATCH', name, p, got, want)
print('eval example worst relative difference', mp.nstr(worst, 3))
