#!/usr/bin/env python3
"""Lead's merge helper: resolve csproj conflicts where both sides only added lines (keep both, no duplicates),
then normalise PublicAPI.Unshipped.txt after a union merge (one #nullable line, sorted, unique)."""
import re, subprocess, sys
def keep_both(path):
    s = open(path).read()
    def res(m):
        lines = []
        for l in (m.group(1) + m.group(2)).split('\n'):
            if l.strip() and l not in lines:
                lines.append(l)
        return '\n'.join(lines) + '\n'
    s2 = re.sub(r'<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n', res, s, flags=re.S)
    open(path, 'w').write(s2)
for p in sys.argv[1:]:
    keep_both(p)
api = 'src/Microservice.Kit/PublicAPI.Unshipped.txt'
lines = [l for l in open(api).read().split('\n') if l and not l.startswith('#nullable')]
open(api, 'w').write('#nullable enable\n' + '\n'.join(sorted(set(lines), key=lambda x: x.encode())) + '\n')
