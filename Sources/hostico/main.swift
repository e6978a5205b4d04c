print("hostico")
