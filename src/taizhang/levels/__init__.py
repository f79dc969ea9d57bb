"""Organisation levels: 党支部 under 党总支 under 党委. `links` (the key a level above shares with a
unit below), `hierarchy` (the tree built from 支部名单 and the roll-ups received), `rollup_format`
(the signed roll-up workbook), `send` (a unit's roll-up of its branches, `taizhang rollup`) and
`receive` (collecting one at the level above)."""
