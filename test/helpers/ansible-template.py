"""Ansible's own answer for template expressions (the reference for test/filters.test.ts).

Reads a JSON list of {"expr": "x | default(80)", "vars": {...}} on stdin; prints a JSON list of
{"ok": value} or {"error": message}: each expression rendered by Ansible's Templar as
"{{ (expr) | to_json }}", so the value keeps its type (str, int, list, None) on its way back.
"""
import json
import sys
import warnings

warnings.filterwarnings('ignore')

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import Templar  # noqa: E402

out = []
for case in json.load(sys.stdin):
    templar = Templar(loader=DataLoader(), variables=case.get('vars', {}))
    try:
        rendered = templar.template('{{ (%s) | to_json }}' % case['expr'])
        out.append({'ok': json.loads(rendered)})
    except Exception as e:  # the message is compared loosely
        out.append({'error': str(e).split('\n')[0][:300]})
print(json.dumps(out))
