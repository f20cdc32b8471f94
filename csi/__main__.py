from csi.cli.main import main

main()
