"""Word reports: the 公文 format layer (gongwen), charts, the round's notice and the report kinds."""
