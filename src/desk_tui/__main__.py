from desk_tui.cli import main

raise SystemExit(main())
