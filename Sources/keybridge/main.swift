print("keybridge")
