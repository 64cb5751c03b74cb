print("atomo")
