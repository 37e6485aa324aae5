ssh deploy@host true
